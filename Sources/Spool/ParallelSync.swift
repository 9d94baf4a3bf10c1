internal import Foundation
public import QueuePort
internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#endif

/// Fsyncs many files from several threads at once, for batch publishes.
enum ParallelSync {
  /// Most fsyncs kept in flight at once.
  static let lanes = 8

  /// Opens and fsyncs every `names` entry of `directory`; throws the first failure after all lanes finish.
  static func sync(directory: Int32, names: [String], displayPath: String) throws(QueueError) {
    let failure = Mutex<QueueError?>(nil)
    let next = Atomic<Int>(0)
    let group = DispatchGroup()
    let work: @Sendable () -> Void = {
      while true {
        let index = next.add(1, ordering: .relaxed).oldValue
        guard index < names.count else { return }
        let file = openat(directory, names[index], O_RDONLY | O_CLOEXEC)
        let code: Int32 = file < 0 ? errno : (fsync(file) == 0 ? 0 : errno)
        if file >= 0 { close(file) }
        if code != 0 {
          failure.withLock {
            $0 = $0 ?? .system(operation: "fsync", path: displayPath + "/" + names[index], errno: code)
          }
        }
      }
    }
    for _ in 0..<min(lanes, names.count) {
      group.enter()
      Thread {
        work()
        group.leave()
      }.start()
    }
    group.wait()
    if let error = failure.withLock({ $0 }) { throw error }
  }
}
