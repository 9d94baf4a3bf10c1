import Foundation
import QueuePort
import Testing

@testable import Spool

@Suite struct PublishTests {
  @Test func publishWritesOneFileInNewAndNothingElse() throws {
    let spool = TemporarySpool()
    let queue = try spool.spool.queue("orders")
    let id = try queue.publish(event("e1"))
    #expect(spool.files("orders", "new").count == 1)
    #expect(spool.files("orders", "new")[0].contains(id))
    #expect(spool.files("orders", "tmp").isEmpty)
    #expect(id.hasSuffix("-test.host"))
    let message = try #require(try queue.claim())
    #expect(message.id == id)
    #expect(message.body == event("e1"))
    #expect(message.receiveCount == 1)
  }

  @Test(arguments: [
    "", ".", "..", ".hidden", "a/b", "../escape", "sp ace", "semi;colon", String(repeating: "q", count: 101),
  ])
  func unsafeQueueNamesAreRefused(name: String) throws {
    let spool = TemporarySpool()
    #expect(throws: QueueError.invalidQueueName(name)) { try spool.spool.queue(name) }
    #expect(!FileManager.default.fileExists(atPath: spool.root + "/" + name) || name.isEmpty)
  }

  @Test(arguments: [
    ("not json", "not JSON"),
    ("[1]", "JSON object"),
    (#"{"specversion":"1.0","source":"/s","type":"t"}"#, "\"id\""),
    (#"{"specversion":"0.3","id":"1","source":"/s","type":"t"}"#, "specversion"),
    (#"{"specversion":"1.0","id":"","source":"/s","type":"t"}"#, "non-empty"),
    (#"{"specversion":"1.0","id":"1","source":"/s","type":7}"#, "\"type\""),
    (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"yesterday"}"#, "RFC 3339"),
    (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","Bad_Name":"x"}"#, "attribute name"),
    (#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1,"data_base64":"AA=="}"#, "exclusive"),
  ])
  func invalidMessagesAreRefusedWithTheRuleTheyBreak(body: String, reason: String) throws {
    let spool = TemporarySpool()
    let queue = try spool.spool.queue("orders")
    do {
      try queue.publish(Array(body.utf8))
      Issue.record("published an invalid message")
    } catch {
      guard case .invalidMessage(let text) = error else { throw error }
      #expect(text.contains(reason))
    }
    #expect(spool.files("orders", "new").isEmpty && spool.files("orders", "tmp").isEmpty)
  }

  @Test func oversizedMessagesAreRefused() throws {
    let spool = TemporarySpool()
    var policy = QueuePolicy()
    policy.maxMessageBytes = 200
    let queue = try spool.spool.configure("small", policy: policy)
    let big = event("big", data: "\"" + String(repeating: "x", count: 300) + "\"")
    #expect(throws: QueueError.messageTooLarge(size: big.count, limit: 200)) { try queue.publish(big) }
    try queue.publish(event("fits"))
  }

  @Test func aBatchIsValidatedWholeBeforeAnythingIsWritten() throws {
    let spool = TemporarySpool()
    let queue = try spool.spool.queue("orders")
    #expect(throws: QueueError.self) { try queue.publish(batch: [event("a"), Array("{}".utf8)]) }
    #expect(spool.files("orders", "new").isEmpty)
    let ids = try queue.publish(batch: (0..<100).map { event("e\($0)") })
    #expect(ids.count == 100 && Set(ids).count == 100)
    #expect(spool.files("orders", "new").count == 100)
  }

  @Test func claimsAreFIFOWithinAReadyTime() throws {
    let spool = TemporarySpool()
    let queue = try spool.spool.queue("orders")
    try queue.publish(batch: (0..<20).map { event("e\($0)") })
    try queue.publish(event("e20"))
    var seen: [String] = []
    while let message = try queue.claim() {
      seen.append(eventID(message.body) ?? "?")
      try queue.ack(message.receipt)
    }
    #expect(seen == (0...20).map { "e\($0)" })
  }

  @Test func delayedMessagesWaitForTheirTime() throws {
    let spool = TemporarySpool()
    let queue = try spool.spool.queue("orders")
    try queue.publish(event("later"), delayMilliseconds: 5000)
    try queue.publish(event("now"))
    #expect(try queue.stats().delayed == 1)
    #expect(eventID(try #require(try queue.claim()).body) == "now")
    #expect(try queue.claim() == nil)
    spool.clock.advance(milliseconds: 4999)
    #expect(try queue.claim() == nil)
    spool.clock.advance(milliseconds: 1)
    #expect(eventID(try #require(try queue.claim()).body) == "later")
  }

  @Test func policyRoundTripsThroughPolicyJSON() throws {
    let spool = TemporarySpool()
    var policy = QueuePolicy()
    policy.maxAttempts = 3
    policy.retainAcked = true
    policy.backoff = .exponential(baseMilliseconds: 100, capMilliseconds: 5000)
    _ = try spool.spool.configure("orders", policy: policy)
    #expect(try spool.spool.queue("orders").policy == policy)
    #expect(try spool.spool.queueNames() == ["orders"])
  }
}
