#include "control/run/file_watcher.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace takedown::control {

namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kEvents =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB;

std::string normal(const std::string& path) {
  return fs::absolute(path).lexically_normal().string();
}

}  // namespace

Result<std::unique_ptr<FileWatcher>> FileWatcher::create(const std::vector<std::string>& files) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return make_error(std::string("inotify_init1: ") + std::strerror(errno));
  std::unique_ptr<FileWatcher> watcher(new FileWatcher(fd));
  std::set<std::string> folders;
  for (const auto& file : files) {
    const std::string path = normal(file);
    watcher->files_.insert(path);
    folders.insert(fs::path(path).parent_path().string());
  }
  for (const auto& folder : folders) {
    const int wd = ::inotify_add_watch(fd, folder.c_str(), kEvents);
    if (wd < 0) {
      return make_error("cannot watch " + folder + ": " + std::strerror(errno));
    }
    watcher->folders_[wd] = folder;
  }
  return watcher;
}

FileWatcher::~FileWatcher() { ::close(fd_); }

bool FileWatcher::changed(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  bool hit = false;
  alignas(inotify_event) char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      const auto folder = folders_.find(event->wd);
      if (folder == folders_.end() || event->len == 0) continue;
      const std::string path = (fs::path(folder->second) / event->name).string();
      hit = hit || files_.count(path) != 0;
    }
  }
  return hit;
}

}  // namespace takedown::control
