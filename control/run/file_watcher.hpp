// FileWatcher: tells when any of a set of files changes, through inotify on their folders.
//
// Folders, not files, are watched: editors and deploy tools replace a file by renaming a new one
// over it, which a watch on the old inode would miss. Events for other names in those folders are
// ignored. Cold path; one per control process.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "filters/common/result.hpp"

namespace takedown::control {

class FileWatcher {
 public:
  // Watches `files` (relative paths are taken from the current folder).
  static Result<std::unique_ptr<FileWatcher>> create(const std::vector<std::string>& files);
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Waits up to `timeout_ms` (0: just look); true when a watched file was written, replaced,
  // created or removed.
  bool changed(int timeout_ms);
  // The inotify descriptor, readable when changed() has something to look at (for a poll loop).
  int fd() const { return fd_; }

 private:
  explicit FileWatcher(int fd) : fd_(fd) {}

  int fd_;
  std::unordered_map<int, std::string> folders_;  // watch descriptor -> folder
  std::set<std::string> files_;
};

}  // namespace takedown::control
