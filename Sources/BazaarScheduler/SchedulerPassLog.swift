internal import BazaarCore
package import BazaarJSON
internal import Foundation

/// The scheduler's last pass, kept in a small file (`var/scheduler-last-pass.json`) that every
/// pass replaces atomically, for `bazaar status`: when it ended, how long it took, what it did.
package struct SchedulerPassLog: Sendable {
  package let path: String

  package init(path: String) {
    self.path = path
  }

  /// Records a pass that ended at `endedAt` (ms since the epoch) after `milliseconds`.
  package func record(_ report: SchedulerPass.Report, milliseconds: Int64, endedAt: Int64) {
    let entry: JSONValue = [
      "endedAt": .integer(endedAt), "durationMs": .integer(milliseconds),
      "relayed": .integer(Int64(report.relayed)), "eventsHandled": .integer(Int64(report.eventsHandled)),
      "shipmentsDispatched": .integer(Int64(report.shipmentsDispatched)),
      "deadLettered": .integer(Int64(report.deadLettered)),
    ]
    let temporary = path + ".tmp-\(getpid())"
    guard FileManager.default.createFile(atPath: temporary, contents: Data(entry.serialized.utf8)) else { return }
    if rename(temporary, path) != 0 { unlink(temporary) }
  }

  /// Runs `pass` once, records it, and returns its report with its duration in milliseconds.
  package func run(_ pass: SchedulerPass, shouldStop: () -> Bool) throws -> (SchedulerPass.Report, Int64) {
    let started = ContinuousClock.now
    let report = try pass.run(shouldStop: shouldStop)
    let elapsed = (ContinuousClock.now - started).components
    let milliseconds = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
    record(report, milliseconds: milliseconds, endedAt: pass.clock.now().milliseconds)
    return (report, milliseconds)
  }

  /// The last pass recorded, if any.
  package func last() -> JSONValue? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return try? JSONValue.parse(Array(data))
  }
}
