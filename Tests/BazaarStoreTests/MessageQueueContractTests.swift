import BazaarPostgres
import Foundation
import QueuePort
import Spool
import Testing

/// The queue backends every queue contract test runs against: the directory spool and
/// PostgreSQL's queue table (on a fresh schema).
enum QueueKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
  case spool, postgres

  var testDescription: String { rawValue }

  /// Fresh, empty queues of this kind (and what keeps them alive).
  func make() throws -> (queues: any MessageQueues, keep: AnyObject) {
    switch self {
    case .spool:
      let temp = try TemporaryDatabase()
      return (Spool(root: temp.directory + "/queues").queues, temp)
    case .postgres:
      let schema = try TemporarySchema()
      return (try PostgresQueues(url: schema.url, connections: 8), schema)
    }
  }
}

/// A CloudEvents message the queues accept.
func event(_ id: Int) -> [UInt8] {
  Array(#"{"specversion":"1.0","id":"e\#(id)","source":"/test","type":"test.event","data":{"n":\#(id)}}"#.utf8)
}

/// The queue port's contract (docs/queues.md), on every backend.
@Suite struct MessageQueueContractTests {
  @Test(arguments: QueueKind.allCases)
  func messagesComeOutInOrderOnceEachAndAckedOnesAreGone(kind: QueueKind) throws {
    let (queues, keep) = try kind.make()
    let queue = try queues.queue("orders")
    let ids = try queue.publish(batch: [event(1), event(2)], delayMilliseconds: 0)
    let first = try #require(try queue.claim())
    let second = try #require(try queue.claim())
    #expect([first.id, second.id] == ids && first.body == event(1) && second.body == event(2))
    #expect(first.receiveCount == 1 && first.receipt != second.receipt)
    #expect(try queue.claim() == nil)
    try queue.ack(first.receipt)
    #expect(throws: QueueError.leaseLost(receipt: first.receipt)) { try queue.ack(first.receipt) }
    var stats = try queue.stats()
    #expect(stats.inFlight == 1 && stats.ready == 0 && stats.done == 0)
    try queue.ack(second.receipt)
    stats = try queue.stats()
    #expect(stats.inFlight == 0)
    #expect(try queues.queueNames() == ["orders"])
    #expect(throws: QueueError.queueNotFound("nope")) { try queues.existingQueue("nope") }
    #expect(throws: QueueError.self) { try queue.publish(Array("not an event".utf8)) }
    withExtendedLifetime(keep) {}
  }

  @Test(arguments: QueueKind.allCases)
  func nacksRetryAfterTheirDelayThenDeadLetterAndReplay(kind: QueueKind) throws {
    let (queues, keep) = try kind.make()
    var policy = QueuePolicy()
    policy.maxAttempts = 2
    policy.backoff = .fixed(milliseconds: 50)
    let queue = try queues.configure("payments", policy: policy)
    #expect(queue.policy == policy)
    let id = try queue.publish(event(1))
    let first = try #require(try queue.claim())
    guard case .retryAt = try queue.nack(first.receipt, delayMilliseconds: nil, error: "gateway down") else {
      Issue.record("the first nack should retry")
      return
    }
    #expect(try queue.claim() == nil, "not before its delay")
    #expect(try queue.stats().delayed == 1)
    let second = try #require(try queue.claim(leaseMilliseconds: nil, waitMilliseconds: 2_000, shouldStop: { false }))
    #expect(second.id == id && second.receiveCount == 2 && second.lastError == "gateway down")
    #expect(try queue.nack(second.receipt, delayMilliseconds: nil, error: "still down") == .deadLettered)
    let dead = try queue.peek(.dead, limit: 10)
    #expect(dead.map(\.id) == [id] && dead[0].lastError?.hasPrefix("still down") == true && dead[0].body == event(1))
    #expect(try queue.replay(from: .dead, id: id) == [id])
    let replayed = try #require(try queue.claim())
    #expect(replayed.id == id && replayed.receiveCount == 1)
    #expect(try queue.nack(replayed.receipt, delayMilliseconds: 0, error: nil) != .deadLettered)
    #expect(throws: QueueError.messageNotFound(id: "missing")) { try queue.replay(from: .dead, id: "missing") }
    withExtendedLifetime(keep) {}
  }

  @Test(arguments: QueueKind.allCases)
  func leasesExtendExpireAndReturn(kind: QueueKind) throws {
    let (queues, keep) = try kind.make()
    var policy = QueuePolicy()
    policy.retainAcked = true
    let queue = try queues.configure("shipments", policy: policy)
    _ = try queue.publish(event(1))
    let claimed = try #require(try queue.claim(leaseMilliseconds: 100))
    let extended = try queue.extendLease(claimed.receipt, milliseconds: 60_000)
    #expect(extended.receipt != claimed.receipt)
    #expect(throws: QueueError.self) { try queue.ack(claimed.receipt) }
    try queue.ack(extended.receipt)
    #expect(try queue.stats().done == 1 && queue.peek(.done, limit: 5).count == 1)
    #expect(try queue.purge(.done) == 1)
    _ = try queue.publish(event(2))
    let short = try #require(try queue.claim(leaseMilliseconds: 50))
    usleep(120_000)
    #expect(try queue.reap().returned == 1)
    let again = try #require(try queue.claim())
    #expect(again.id == short.id && again.receiveCount == 2)
    #expect(throws: QueueError.self) { try queue.ack(short.receipt) }
    withExtendedLifetime(keep) {}
  }

  /// Consumers racing on one queue (threads with connections of their own, as hosts would)
  /// take every message exactly once.
  @Test(arguments: QueueKind.allCases)
  func competingConsumersTakeEachMessageOnce(kind: QueueKind) async throws {
    let (queues, keep) = try kind.make()
    let queue = try queues.queue("race")
    _ = try queue.publish(batch: (0..<200).map(event), delayMilliseconds: 0)
    let taken = try await withThrowingTaskGroup(of: [String].self) { group in
      for _ in 0..<4 {
        group.addTask {
          var ids: [String] = []
          while let message = try queue.claim() {
            try queue.ack(message.receipt)
            ids.append(message.id)
          }
          return ids
        }
      }
      return try await group.reduce(into: [String]()) { $0 += $1 }
    }
    #expect(taken.count == 200 && Set(taken).count == 200)
    withExtendedLifetime(keep) {}
  }
}
