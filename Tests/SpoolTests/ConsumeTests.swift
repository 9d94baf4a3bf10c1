import Foundation
import QueuePort
import Testing

@testable import Spool

@Suite struct ConsumeTests {
  /// Claims take names from one listing of `new/` until they are used up: two consumers
  /// (as two processes would, each with its own queue object) share the backlog, each message
  /// exactly once, and messages published after a listing are still claimed, after it.
  @Test func consumersWithTheirOwnListingsClaimEachMessageOnce() throws {
    let spool = TemporarySpool()
    let other = Spool(root: spool.root, environment: spool.clock.environment, host: "other.host")
    let (first, second) = (try spool.spool.queue("orders"), try other.queue("orders"))
    for index in 0..<50 {
      try first.publish(event("early-\(index)"))
      spool.clock.advance(milliseconds: 1)
    }
    var claimed: [String] = []
    var firstOrder: [String] = []
    while true {
      let a = try first.claim()
      if let a {
        firstOrder.append(try #require(eventID(a.body)))
        try first.ack(a.receipt)
      }
      if claimed.count == 10 {
        for index in 0..<5 { try second.publish(event("late-\(index)")) }
      }
      let b = try second.claim()
      if let b { try second.ack(b.receipt) }
      claimed += [a, b].compactMap { $0.flatMap { eventID($0.body) } }
      if a == nil && b == nil { break }
    }
    #expect(claimed.count == 55 && Set(claimed).count == 55)
    let early = firstOrder.filter { $0.hasPrefix("early-") }.map { Int($0.dropFirst(6))! }
    #expect(early == early.sorted(), "one consumer takes the earliest ready first")
    #expect(spool.files("orders", "new").isEmpty && spool.files("orders", "cur").isEmpty)
  }

  @Test func ackDeletesOrRetainsPerPolicy() throws {
    let spool = TemporarySpool()
    let plain = try spool.spool.queue("plain")
    try plain.publish(event("a"))
    try plain.ack(try #require(try plain.claim()).receipt)
    #expect(spool.files("plain", "cur").isEmpty && spool.files("plain", "done").isEmpty)

    var policy = QueuePolicy()
    policy.retainAcked = true
    let kept = try spool.spool.configure("kept", policy: policy)
    let id = try kept.publish(event("b"))
    let receipt = try #require(try kept.claim()).receipt
    try kept.ack(receipt)
    #expect(try kept.stats().done == 1)
    #expect(throws: QueueError.leaseLost(receipt: receipt)) { try kept.ack(receipt) }
    #expect(try kept.replay(from: .done, id: id) == [id])
    let again = try #require(try kept.claim())
    #expect(again.id == id && again.receiveCount == 1)
  }

  @Test func receiptsAreCheckedBeforeTheyBecomePaths() throws {
    let spool = TemporarySpool()
    let queue = try spool.spool.queue("orders")
    for receipt in ["../../etc/passwd", "0001,../x,1", "", "0000000000000001,abc,1"] {
      #expect(throws: QueueError.invalidReceipt(receipt)) { try queue.ack(receipt) }
    }
  }

  @Test func nackFollowsSidekiqBackoffAndRecordsTheError() throws {
    let spool = TemporarySpool(random: 3)
    let queue = try spool.spool.queue("orders")
    try queue.publish(event("a"))
    var expected: [Int64] = []
    for receives in 1...4 {
      let message = try #require(try queue.claim())
      #expect(message.receiveCount == receives)
      if receives > 1 { #expect(message.lastError == "failure \(receives - 1)") }
      let count = Int64(receives - 1)
      let delay = (count * count * count * count + 15 + 3 * (count + 1)) * 1000
      expected.append(delay)
      #expect(try queue.nack(message.receipt, error: "failure \(receives)") == .retryAt(spool.clock.now + delay))
      spool.clock.advance(milliseconds: delay - 1)
      #expect(try queue.claim() == nil)
      spool.clock.advance(milliseconds: 1)
    }
    #expect(expected == [18_000, 22_000, 40_000, 108_000])
  }

  @Test func theLastFailedAttemptDeadLettersWithItsError() throws {
    let spool = TemporarySpool()
    var policy = QueuePolicy()
    policy.maxAttempts = 3
    policy.backoff = .fixed(milliseconds: 10)
    let queue = try spool.spool.configure("orders", policy: policy)
    let id = try queue.publish(event("poison"))
    for attempt in 1...3 {
      let message = try #require(try queue.claim())
      let outcome = try queue.nack(message.receipt, error: "boom \(attempt)")
      #expect(outcome == (attempt < 3 ? .retryAt(spool.clock.now + 10) : .deadLettered))
      spool.clock.advance(milliseconds: 10)
    }
    #expect(try queue.claim() == nil)
    let dead = try queue.peek(.dead)
    #expect(dead.count == 1)
    #expect(dead[0].id == id && dead[0].receiveCount == 3)
    #expect(dead[0].lastError == "boom 3 (attempt 3 of 3)")
    #expect(dead[0].body == event("poison"))
    #expect(try queue.replay(from: .dead, id: id) == [id])
    let replayed = try #require(try queue.claim())
    #expect(replayed.receiveCount == 1 && replayed.lastError == "boom 3 (attempt 3 of 3)")
    #expect(throws: QueueError.messageNotFound(id: id)) { try queue.replay(from: .dead, id: id) }
  }

  @Test func expiredLeasesComeBackWithTheirReceiveCount() throws {
    let spool = TemporarySpool()
    let queue = try spool.spool.queue("orders")
    try queue.publish(event("a"))
    let first = try #require(try queue.claim(leaseMilliseconds: 5000))
    spool.clock.advance(milliseconds: 4999)
    #expect(try queue.reap().returned == 0)
    #expect(try queue.claim() == nil)
    spool.clock.advance(milliseconds: 1)
    #expect(try queue.reap().returned == 1)
    let second = try #require(try queue.claim())
    #expect(second.id == first.id && second.receiveCount == 2)
    #expect(throws: QueueError.leaseLost(receipt: first.receipt)) { try queue.ack(first.receipt) }
    try queue.ack(second.receipt)
  }

  @Test func claimsReturnExpiredLeasesWithoutAReaper() throws {
    let spool = TemporarySpool()
    let queue = try spool.spool.queue("orders")
    try queue.publish(event("a"))
    _ = try #require(try queue.claim(leaseMilliseconds: 1000))
    spool.clock.advance(milliseconds: 1500)
    let fresh = try spool.spool.queue("orders")
    #expect(try #require(try fresh.claim()).receiveCount == 2)
  }

  @Test func anExpiredLastAttemptIsDeadLettered() throws {
    let spool = TemporarySpool()
    var policy = QueuePolicy()
    policy.maxAttempts = 1
    let queue = try spool.spool.configure("orders", policy: policy)
    try queue.publish(event("a"))
    _ = try #require(try queue.claim(leaseMilliseconds: 100))
    spool.clock.advance(milliseconds: 100)
    #expect(try queue.reap().deadLettered == 1)
    #expect(try queue.peek(.dead).first?.lastError?.contains("lease expired") == true)
  }

  @Test func extendingALeaseKeepsTheMessageAndRetiresTheOldReceipt() throws {
    let spool = TemporarySpool()
    let queue = try spool.spool.queue("orders")
    try queue.publish(event("a"))
    let message = try #require(try queue.claim(leaseMilliseconds: 1000))
    spool.clock.advance(milliseconds: 900)
    let lease = try queue.extendLease(message.receipt, milliseconds: 1000)
    spool.clock.advance(milliseconds: 900)
    #expect(try queue.reap().returned == 0)
    #expect(throws: QueueError.leaseLost(receipt: message.receipt)) { try queue.ack(message.receipt) }
    try queue.ack(lease.receipt)
    #expect(try queue.stats() == QueueStats())
  }

  @Test func foreignAndCorruptFilesAreSetAsideNotDelivered() throws {
    let spool = TemporarySpool()
    let queue = try spool.spool.queue("orders")
    let new = spool.root + "/orders/new/"
    try Data("hello".utf8).write(to: URL(fileURLWithPath: new + "stray.txt"))
    try FileManager.default.createDirectory(atPath: new + "a-directory", withIntermediateDirectories: false)
    let id = try queue.publish(event("good"))
    let victim = try queue.publish(event("victim"))
    let victimFile = try #require(spool.files("orders", "new").first { $0.contains(victim) })
    try Data("garbage without a header".utf8).write(to: URL(fileURLWithPath: new + victimFile))
    let message = try #require(try queue.claim())
    #expect(message.id == id)
    #expect(try queue.claim() == nil)
    let dead = try queue.peek(.dead, limit: 10)
    #expect(dead.count == 3)
    #expect(
      dead.contains { $0.lastError?.contains("foreign file \"stray.txt\"") == true && $0.body == Array("hello".utf8) })
    #expect(dead.contains { $0.id == victim && $0.lastError?.contains("corrupt message file") == true })
    #expect(spool.files("orders", "new").isEmpty)
  }

  @Test func aFIFOOrASocketInNewIsSetAsideWithoutBlocking() throws {
    let spool = TemporarySpool()
    let queue = try spool.spool.queue("orders")
    let new = spool.root + "/orders/new/"
    let jammed = try queue.publish(event("jammed"))
    let jammedFile = try #require(spool.files("orders", "new").first { $0.contains(jammed) })
    try FileManager.default.removeItem(atPath: new + jammedFile)
    #expect(mkfifo(new + jammedFile, 0o600) == 0, "a FIFO under a message's own name")
    #expect(mkfifo(new + "stray-fifo", 0o600) == 0, "and one under a foreign name")
    let socketPath = new + "stray-socket"
    let socketFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socketFD) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
    }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    #expect(bound == 0)
    let good = try queue.publish(event("good"))
    // Before the fix, this claim blocked forever opening the FIFO.
    let message = try #require(try queue.claim())
    #expect(message.id == good)
    #expect(try queue.claim() == nil)
    let dead = try queue.peek(.dead, limit: 10)
    #expect(dead.count == 3)
    #expect(dead.contains { $0.id == jammed && $0.lastError?.contains("not a regular file (a FIFO)") == true })
    #expect(dead.filter { $0.lastError?.contains("not a regular file") == true }.count == 3)
    #expect(spool.files("orders", "new").isEmpty && spool.files("orders", "cur").count == 1)
    let kinds = try spool.files("orders", "dead").map {
      try FileManager.default.attributesOfItem(atPath: spool.root + "/orders/dead/" + $0)[.type] as? FileAttributeType
    }
    #expect(kinds.allSatisfy { $0 == .typeRegular }, "each special file was replaced by a dead letter")
  }

  @Test func abandonedTemporaryFilesAreRemovedAfterAnHour() throws {
    let spool = TemporarySpool()
    let queue = try spool.spool.queue("orders")
    let path = spool.root + "/orders/tmp/left-by-a-crash"
    try Data("partial".utf8).write(to: URL(fileURLWithPath: path))
    #expect(try queue.reap().removedTemporaryFiles == 0)
    spool.clock.advance(milliseconds: 2 * 3_600_000)
    #expect(try queue.reap().removedTemporaryFiles == 1)
  }

  @Test func purgeEmptiesOnlyTheStateAsked() throws {
    let spool = TemporarySpool()
    var policy = QueuePolicy()
    policy.retainAcked = true
    policy.maxAttempts = 1
    let queue = try spool.spool.configure("orders", policy: policy)
    try queue.publish(batch: [event("a"), event("b")])
    try queue.ack(try #require(try queue.claim()).receipt)
    try queue.nack(try #require(try queue.claim()).receipt, error: "x")
    #expect(try queue.purge(.done) == 1)
    #expect(try queue.stats().dead == 1)
    #expect(throws: QueueError.self) { try queue.purge(.ready) }
  }

  @Test(arguments: [
    (RetryBackoff.fixed(milliseconds: 250), [250, 250, 250] as [Int64]),
    (.exponential(baseMilliseconds: 100, capMilliseconds: 350), [100, 200, 350]),
  ])
  func configurableBackoffs(backoff: RetryBackoff, delays: [Int64]) {
    #expect((1...3).map { backoff.delayMilliseconds(afterReceives: $0, random: { _ in 0 }) } == delays)
    #expect(RetryBackoff(backoff.description) == backoff)
  }
}
