// viewer/widgets.cpp — see widgets.h.
#include "viewer/widgets.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

namespace gpt2gl {

std::string token_label(const std::string& raw) {
    if (raw.empty()) return "\xc2\xb7";
    std::string s;
    for (unsigned char c : raw) {
        if (c == '\n') s += "\\n";
        else if (c == '\t') s += "\\t";
        else if (c == '\r') s += "\\r";
        else if (c < 0x20 || c == 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", c);
            s += b;
        } else {
            s += char(c);
        }
    }
    return s;
}

std::string truncate_label(const std::string& s, size_t n) {
    size_t chars = 0, i = 0;
    for (; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte
        if (chars == n) return s.substr(0, i) + "\xe2\x80\xa6";
        ++chars;
    }
    return s;
}

ImTextureID tex_id(const ViewTexture& v) { return reinterpret_cast<ImTextureID>(intptr_t(v.texture().id())); }

ImU32 rgb(glm::vec3 c, float alpha) { return ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, alpha)); }

void text_rotated(ImDrawList* dl, ImVec2 pos, ImU32 col, const std::string& text, float angle) {
    int first = dl->VtxBuffer.Size;
    dl->AddText(pos, col, text.c_str());
    float c = std::cos(angle), s = std::sin(angle);
    for (int i = first; i < dl->VtxBuffer.Size; ++i) {
        ImVec2& v = dl->VtxBuffer[i].pos;
        float x = v.x - pos.x, y = v.y - pos.y;
        v = ImVec2(pos.x + x * c - y * s, pos.y + x * s + y * c);
    }
}

void colour_bar(ImDrawList* dl, ImVec2 p, ImVec2 size, bool seq, const std::string& top, const std::string& mid,
                const std::string& bottom) {
    const int steps = 64;
    for (int i = 0; i < steps; ++i) {
        float t = 1.0f - (float(i) + 0.5f) / steps;  // top: the map's high end
        glm::vec3 col = seq ? sequential(t) : diverging(2.0f * t - 1.0f);
        float y0 = p.y + size.y * float(i) / steps, y1 = p.y + size.y * float(i + 1) / steps;
        dl->AddRectFilled(ImVec2(p.x, y0), ImVec2(p.x + size.x, y1 + 0.5f), rgb(col));
    }
    dl->AddRect(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(140, 140, 150, 255));
    ImU32 text = IM_COL32(210, 210, 215, 255);
    float x = p.x + size.x + 4, h = ImGui::GetTextLineHeight();
    dl->AddText(ImVec2(x, p.y - 2), text, top.c_str());
    dl->AddText(ImVec2(x, p.y + size.y * 0.5f - h * 0.5f), text, mid.c_str());
    dl->AddText(ImVec2(x, p.y + size.y - h + 2), text, bottom.c_str());
}

// [SECTION] GLSL colouring

namespace {

const std::set<std::string>& glsl_keywords() {
    static const std::set<std::string> k = {"if", "else", "for", "break", "continue", "return", "discard", "uniform",
                                            "varying", "attribute", "const", "precision", "highp", "mediump",
                                            "lowp", "in", "out", "inout", "struct"};
    return k;
}

const std::set<std::string>& glsl_types() {
    static const std::set<std::string> t = {"float", "int", "bool", "void", "vec2", "vec3", "vec4", "ivec2",
                                            "ivec3", "ivec4", "bvec2", "bvec3", "bvec4", "mat2", "mat3", "mat4",
                                            "sampler2D"};
    return t;
}

void segment(const std::string& s, ImVec4 col, bool* first) {
    if (s.empty()) return;
    if (!*first) ImGui::SameLine(0, 0);
    ImGui::TextColored(col, "%s", s.c_str());
    *first = false;
}

}  // namespace

void glsl_text(const std::string& source) {
    const ImVec4 plain(0.86f, 0.86f, 0.88f, 1), comment(0.50f, 0.62f, 0.50f, 1), pre(0.78f, 0.60f, 0.90f, 1),
        keyword(0.45f, 0.68f, 1.0f, 1), type(0.35f, 0.85f, 0.80f, 1), number(0.95f, 0.70f, 0.40f, 1);
    size_t start = 0;
    while (start <= source.size()) {
        size_t end = source.find('\n', start);
        if (end == std::string::npos) end = source.size();
        std::string line = source.substr(start, end - start);
        start = end + 1;
        bool first = true;
        size_t first_char = line.find_first_not_of(" \t");
        if (first_char != std::string::npos && line[first_char] == '#') {
            segment(line, pre, &first);
        } else {
            size_t i = 0;
            std::string run;  // plain text waiting to be drawn
            while (i < line.size()) {
                if (line.compare(i, 2, "//") == 0) {
                    segment(run, plain, &first), run.clear();
                    segment(line.substr(i), comment, &first);
                    i = line.size();
                    break;
                }
                unsigned char c = static_cast<unsigned char>(line[i]);
                if (std::isalpha(c) || c == '_') {
                    size_t j = i;
                    while (j < line.size() && (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '_')) ++j;
                    std::string w = line.substr(i, j - i);
                    bool kw = glsl_keywords().count(w), ty = glsl_types().count(w);
                    if (kw || ty) {
                        segment(run, plain, &first), run.clear();
                        segment(w, kw ? keyword : type, &first);
                    } else {
                        run += w;
                    }
                    i = j;
                } else if (std::isdigit(c) || (c == '.' && i + 1 < line.size() && std::isdigit(static_cast<unsigned char>(line[i + 1])))) {
                    size_t j = i;
                    while (j < line.size() && (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '.')) ++j;
                    segment(run, plain, &first), run.clear();
                    segment(line.substr(i, j - i), number, &first);
                    i = j;
                } else {
                    run += line[i++];
                }
            }
            segment(run, plain, &first);
        }
        if (first) ImGui::TextUnformatted("");  // an empty line
        if (end == source.size()) break;
    }
}

}  // namespace gpt2gl
