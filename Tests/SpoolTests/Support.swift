import Foundation
import QueuePort
import Spool
import Synchronization

/// A clock the test moves by hand, and a fixed "random" number.
final class ManualClock: Sendable {
  private let time = Atomic<Int64>(SpoolEnvironment.live.now())
  private let randomValue: Int

  init(random: Int = 0) { randomValue = random }

  var now: Int64 { time.load(ordering: .relaxed) }

  func advance(milliseconds: Int64) { time.add(milliseconds, ordering: .relaxed) }

  var environment: SpoolEnvironment {
    SpoolEnvironment(now: { self.now }, random: { [randomValue] bound in min(randomValue, bound - 1) })
  }
}

/// A fresh spool root in the temporary directory, removed when the test ends.
final class TemporarySpool {
  let root: String
  let clock: ManualClock
  let spool: Spool

  init(random: Int = 0) {
    root = NSTemporaryDirectory() + "spool-tests-" + UUID().uuidString
    clock = ManualClock(random: random)
    spool = Spool(root: root, environment: clock.environment, host: "test.host")
  }

  deinit { try? FileManager.default.removeItem(atPath: root) }

  func files(_ queue: String, _ state: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(queue)/\(state)")) ?? []).sorted()
  }
}

/// A valid CloudEvent with the given id.
func event(_ id: String, data: String = "{}") -> [UInt8] {
  Array(#"{"specversion":"1.0","id":"\#(id)","source":"/tests","type":"test.happened","data":\#(data)}"#.utf8)
}

func eventID(_ body: [UInt8]) -> String? {
  let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
  return object?["id"] as? String
}
