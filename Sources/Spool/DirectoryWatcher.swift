public import QueuePort

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

/// Sleeps until a file arrives in a directory: inotify on Linux, a plain sleep elsewhere.
final class DirectoryWatcher {
  private var descriptor: Int32 = -1

  init(path: String) {
    #if os(Linux)
      let descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
      guard descriptor >= 0 else { return }
      guard inotify_add_watch(descriptor, path, UInt32(IN_MOVED_TO | IN_CREATE)) >= 0 else {
        close(descriptor)
        return
      }
      self.descriptor = descriptor
    #endif
  }

  deinit { if descriptor >= 0 { close(descriptor) } }

  /// Returns after `milliseconds`, or earlier when an entry arrives or a signal interrupts.
  func wait(milliseconds: Int) {
    guard milliseconds > 0 else { return }
    guard descriptor >= 0 else {
      usleep(UInt32(min(milliseconds, 100) * 1000))
      return
    }
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    if poll(&entry, 1, Int32(milliseconds)) > 0 {
      var buffer = [UInt8](repeating: 0, count: 4096)
      while read(descriptor, &buffer, buffer.count) > 0 {}
    }
  }
}
