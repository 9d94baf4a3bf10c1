internal import ArgumentParser
internal import BazaarJSON
internal import BazaarPostgres
internal import Foundation
internal import QueuePort
internal import Spool
internal import Synchronization

/// `bazaar-bench queue-backends`: claim+ack per second on PostgreSQL's queue (`--url`) against
/// the directory spool, in the same run, rounds interleaved, with `workers` threads claiming
/// at once. Each round publishes `messages` to each (untimed, in batches), then times the
/// workers claiming and acking until both are empty. Prints one JSON line per round and a summary.
struct QueueBackendsBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "queue-backends", abstract: "Claim+ack per second: PostgreSQL's queue against the spool.")

  @Option(help: "The PostgreSQL database for the queue (postgres://…).") var url: String
  @Option(help: "Messages claimed and acked per backend and round.") var messages = 5_000
  @Option(help: "Threads claiming at once.") var workers = 4
  @Option(help: "Rounds.") var rounds = 3

  func run() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("queue-bench-\(UUID())").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let backends: [(name: String, queues: any MessageQueues)] = [
      ("spool", Spool(root: directory).queues),
      ("postgres", try PostgresQueues(url: url, connections: workers + 1, busyTimeout: 30)),
    ]
    var rates: [String: [Double]] = [:]
    for round in 1...rounds {
      var line: [String: JSONValue] = ["round": .integer(Int64(round))]
      for backend in backends {
        let queue = try backend.queues.queue("bench")
        for start in stride(from: 0, to: messages, by: 1000) {
          let batch = (start..<min(messages, start + 1000)).map { index in
            Array(#"{"specversion":"1.0","id":"evt_\#(round)_\#(index)","source":"/bench","type":"bench"}"#.utf8)
          }
          _ = try queue.publish(batch: batch, delayMilliseconds: 0)
        }
        let rate = try Self.drain(queue, workers: workers, expected: messages)
        rates[backend.name, default: []].append(rate)
        line[backend.name] = .number(rate.rounded())
      }
      print(JSONValue.object(line).serialized)
    }
    let ratios = zip(rates["postgres"]!, rates["spool"]!).map { $0 / $1 }
    print(
      JSONValue.object([
        "messages": .integer(Int64(messages)), "workers": .integer(Int64(workers)),
        "spoolMedian": .number(Self.median(rates["spool"]!).rounded()),
        "postgresMedian": .number(Self.median(rates["postgres"]!).rounded()),
        "postgresToSpool": .number((Self.median(ratios) * 100).rounded() / 100),
      ]).serialized)
  }

  /// Claims+acks per second of `workers` threads emptying `queue`.
  private static func drain(_ queue: any MessageQueue, workers: Int, expected: Int) throws -> Double {
    let taken = Mutex(0)
    let failure = Mutex<(any Error)?>(nil)
    let group = DispatchGroup()
    let started = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<workers {
      group.enter()
      Thread {
        defer { group.leave() }
        do {
          while let message = try queue.claim(leaseMilliseconds: 30_000) {
            try queue.ack(message.receipt)
            taken.withLock { $0 += 1 }
          }
        } catch {
          failure.withLock { $0 = error }
        }
      }.start()
    }
    group.wait()
    if let error = failure.withLock({ $0 }) { throw error }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    guard taken.withLock({ $0 }) == expected else { throw ValidationError("a message was lost or taken twice") }
    return Double(expected) / seconds
  }

  private static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}
