// A minimal HTTP/1.x server on 127.0.0.1 for the debuginfod tests: GET of a known
// URL path answers the file mapped to it, anything else 404. Every request line is
// recorded.
#ifndef HEAPDRIFT_TESTS_SYMBOLIZER_HTTP_FILE_SERVER_H
#define HEAPDRIFT_TESTS_SYMBOLIZER_HTTP_FILE_SERVER_H

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace heapdrift::symbolizer::test {

class HttpFileServer {
 public:
  explicit HttpFileServer(std::map<std::string, std::string> files);  // URL path -> file
  ~HttpFileServer();
  HttpFileServer(const HttpFileServer&) = delete;
  HttpFileServer& operator=(const HttpFileServer&) = delete;

  std::string url() const;                 // "http://127.0.0.1:<port>"
  std::vector<std::string> paths() const;  // the URL paths requested, in order

 private:
  void serve();
  void answer(int client);

  std::map<std::string, std::string> files_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> paths_;
  std::thread thread_;
};

}  // namespace heapdrift::symbolizer::test

#endif  // HEAPDRIFT_TESTS_SYMBOLIZER_HTTP_FILE_SERVER_H
