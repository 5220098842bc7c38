#include "svg_doc.h"

#include <expat.h>

#include <functional>
#include <stdexcept>

namespace heapdrift::testing {

std::string Element::attr(const std::string& key) const {
  auto it = attributes.find(key);
  return it == attributes.end() ? std::string() : it->second;
}

double Element::number(const std::string& key) const {
  auto it = attributes.find(key);
  if (it == attributes.end()) throw std::runtime_error("no attribute " + key + " on <" + name + ">");
  size_t used = 0;
  double v = std::stod(it->second, &used);
  if (used != it->second.size()) throw std::runtime_error("not a number: " + key + "=" + it->second);
  return v;
}

const Element* Element::child(std::string_view wanted) const {
  for (const auto& c : children) {
    if (c->name == wanted) return c.get();
  }
  return nullptr;
}

std::string Element::all_text() const {
  std::string out = text;
  for (const auto& c : children) out += c->all_text();
  return out;
}

void Element::visit(const std::function<void(const Element&)>& f) const {
  f(*this);
  for (const auto& c : children) c->visit(f);
}

const Element* Element::find_id(std::string_view id) const {
  const Element* found = nullptr;
  visit([&](const Element& e) {
    if (!found && e.attr("id") == id) found = &e;
  });
  return found;
}

namespace {

struct Builder {
  std::unique_ptr<Element> root;
  std::vector<Element*> open;
};

void on_start(void* data, const XML_Char* name, const XML_Char** attributes) {
  auto* b = static_cast<Builder*>(data);
  auto e = std::make_unique<Element>();
  e->name = name;
  for (size_t i = 0; attributes[i]; i += 2) e->attributes[attributes[i]] = attributes[i + 1];
  Element* raw = e.get();
  if (b->open.empty()) {
    b->root = std::move(e);
  } else {
    b->open.back()->children.push_back(std::move(e));
  }
  b->open.push_back(raw);
}

void on_end(void* data, const XML_Char*) { static_cast<Builder*>(data)->open.pop_back(); }

void on_text(void* data, const XML_Char* s, int len) {
  auto* b = static_cast<Builder*>(data);
  if (!b->open.empty()) b->open.back()->text.append(s, static_cast<size_t>(len));
}

}  // namespace

ParseResult parse_xml(std::string_view xml) {
  Builder b;
  XML_Parser parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(parser, &b);
  XML_SetElementHandler(parser, on_start, on_end);
  XML_SetCharacterDataHandler(parser, on_text);
  ParseResult result;
  if (XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE) == XML_STATUS_ERROR) {
    result.error = std::string(XML_ErrorString(XML_GetErrorCode(parser))) + " at line " +
                   std::to_string(XML_GetCurrentLineNumber(parser)) + ", column " +
                   std::to_string(XML_GetCurrentColumnNumber(parser));
  } else {
    result.root = std::move(b.root);
  }
  XML_ParserFree(parser);
  return result;
}

std::vector<Frame> frames_of(const Element& svg) {
  std::vector<Frame> out;
  const Element* group = svg.find_id("frames");
  if (!group) return out;
  for (const auto& g : group->children) {
    if (g->name != "g") continue;
    const Element* rect = g->child("rect");
    const Element* text = g->child("text");
    const Element* title = g->child("title");
    if (!rect || !text || !title) throw std::runtime_error("frame without rect, text or title");
    Frame f;
    f.klass = g->attr("class");
    f.depth = static_cast<int>(g->number("data-d"));
    f.end = static_cast<size_t>(g->number("data-e"));
    f.bytes = g->number("data-b");
    f.x = rect->number("x");
    f.y = rect->number("y");
    f.width = rect->number("width");
    f.fill = rect->attr("fill");
    f.label = text->text;
    f.title = title->text;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace heapdrift::testing
