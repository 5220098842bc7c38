// A small DOM of an SVG document, parsed with expat, for the flamegraph tests.
#ifndef HEAPDRIFT_TESTS_FLAMEGRAPH_SVG_DOC_H
#define HEAPDRIFT_TESTS_FLAMEGRAPH_SVG_DOC_H

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace heapdrift::testing {

struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;  // character data directly inside, concatenated
  std::vector<std::unique_ptr<Element>> children;

  std::string attr(const std::string& key) const;
  double number(const std::string& key) const;  // throws when missing or not a number
  const Element* child(std::string_view name) const;  // the first child so named
  std::string all_text() const;                       // this and its descendants'
  // Depth-first, this element included.
  void visit(const std::function<void(const Element&)>& f) const;
  const Element* find_id(std::string_view id) const;
};

struct ParseResult {
  std::unique_ptr<Element> root;
  std::string error;  // empty when well-formed
};

ParseResult parse_xml(std::string_view xml);

// One drawn flamegraph frame, read back from its <g class="f">.
struct Frame {
  std::string klass;  // the g's class attribute
  int depth = 0;
  size_t end = 0;
  double bytes = 0;
  double x = 0, y = 0, width = 0;
  std::string fill, label;
  std::string title;  // the tooltip; its first line is the name
  std::string name() const { return title.substr(0, title.find('\n')); }
};

std::vector<Frame> frames_of(const Element& svg);

}  // namespace heapdrift::testing

#endif  // HEAPDRIFT_TESTS_FLAMEGRAPH_SVG_DOC_H
