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

  /// The last pass recorded, if any.
  package func last() -> JSONValue? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return try? JSONValue.parse(Array(data))
  }
}
