internal import Foundation
public import QueuePort
internal import Synchronization

/// How a handler's delivery ended.
public enum WorkOutcome: Equatable, Sendable {
  /// Done: the message is acked.
  case ack
  /// Failed: the message is nacked with the queue's backoff (or `delayMilliseconds`), recording `error`.
  case retry(error: String?, delayMilliseconds: Int64? = nil)
}

/// Keeps a claimed message's lease alive while a handler works on it.
///
/// Handlers call `renewIfDue()` now and then (a process runner does so while it waits for
/// the child); the lease is extended by a full lease once half of it has passed.
public final class LeaseKeeper {
  /// The receipt currently holding the message (it changes with each extension).
  public private(set) var receipt: String
  /// True once an extension found the lease gone; settling will then fail and the message come back.
  public private(set) var lost = false
  private var expiresAt: Int64
  private let queue: any MessageQueue
  private let leaseMilliseconds: Int64

  init(queue: any MessageQueue, message: ClaimedMessage, leaseMilliseconds: Int64) {
    self.queue = queue
    self.receipt = message.receipt
    self.expiresAt = message.leaseExpiresAt
    self.leaseMilliseconds = leaseMilliseconds
  }

  /// Extends the lease when less than half of it is left.
  public func renewIfDue() {
    guard !lost, expiresAt - SpoolEnvironment.live.now() < leaseMilliseconds / 2 else { return }
    do {
      let lease = try queue.extendLease(receipt, milliseconds: leaseMilliseconds)
      receipt = lease.receipt
      expiresAt = lease.expiresAt
    } catch {
      lost = true
    }
  }
}

/// Counts of what a worker did.
public struct WorkReport: Equatable, Sendable {
  /// Messages acked.
  public var acked = 0
  /// Messages given back for another attempt.
  public var retried = 0
  /// Messages moved to `dead/` after their last attempt.
  public var deadLettered = 0
  /// Deliveries whose lease was gone when they finished (the message will be delivered again).
  public var leaseLost = 0
}

/// Runs a handler once per message with up to `concurrency` messages in flight (the engine of `bazaar queue work`).
public struct SpoolWorker: Sendable {
  /// The queue worked.
  public var queue: any MessageQueue
  /// Messages handled at once, each on its own thread.
  public var concurrency: Int
  /// The lease each claim takes; extended while the handler runs.
  public var leaseMilliseconds: Int64
  /// Stop when no message is ready instead of waiting for more (for cron).
  public var once: Bool

  public init(queue: any MessageQueue, concurrency: Int = 1, leaseMilliseconds: Int64? = nil, once: Bool = false) {
    self.queue = queue
    self.concurrency = max(1, concurrency)
    self.leaseMilliseconds = leaseMilliseconds ?? queue.policy.visibilityTimeoutMilliseconds
    self.once = once
  }

  /// Processes messages until `shouldStop` turns true (then lets in-flight handlers finish) or,
  /// with `once`, until none is ready. Errors the spool reports end the run and are rethrown.
  public func run(
    shouldStop: @escaping @Sendable () -> Bool,
    handler: @escaping @Sendable (ClaimedMessage, LeaseKeeper) -> WorkOutcome
  ) throws -> WorkReport {
    let shared = Mutex(WorkReport())
    let failure = Mutex<(any Error)?>(nil)
    let group = DispatchGroup()
    for _ in 0..<concurrency {
      group.enter()
      let thread = Thread {
        defer { group.leave() }
        do {
          try self.loop(shouldStop: { shouldStop() || failure.withLock { $0 != nil } }, handler: handler) { outcome in
            shared.withLock { $0.add(outcome) }
          }
        } catch {
          failure.withLock { $0 = $0 ?? error }
        }
      }
      thread.start()
    }
    group.wait()
    if let error = failure.withLock({ $0 }) { throw error }
    return shared.withLock { $0 }
  }

  private func loop(
    shouldStop: () -> Bool, handler: (ClaimedMessage, LeaseKeeper) -> WorkOutcome,
    record: (Settlement) -> Void
  ) throws {
    while !shouldStop() {
      let message: ClaimedMessage?
      if once {
        message = try queue.claim(leaseMilliseconds: leaseMilliseconds)
      } else {
        message = try queue.claim(leaseMilliseconds: leaseMilliseconds, waitMilliseconds: 1000, shouldStop: shouldStop)
      }
      guard let message else {
        if once { return }
        continue
      }
      let keeper = LeaseKeeper(queue: queue, message: message, leaseMilliseconds: leaseMilliseconds)
      let outcome = handler(message, keeper)
      do {
        switch outcome {
        case .ack:
          try queue.ack(keeper.receipt)
          record(.acked)
        case .retry(let error, let delay):
          switch try queue.nack(keeper.receipt, delayMilliseconds: delay, error: error) {
          case .retryAt: record(.retried)
          case .deadLettered: record(.deadLettered)
          }
        }
      } catch QueueError.leaseLost {
        record(.leaseLost)
      }
    }
  }

  enum Settlement { case acked, retried, deadLettered, leaseLost }
}

extension WorkReport {
  mutating func add(_ settlement: SpoolWorker.Settlement) {
    switch settlement {
    case .acked: acked += 1
    case .retried: retried += 1
    case .deadLettered: deadLettered += 1
    case .leaseLost: leaseLost += 1
    }
  }
}
