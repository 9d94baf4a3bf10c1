public import QueuePort
internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

extension SpoolQueue {
  /// Returns expired leases to `new/` (or `dead/` when out of attempts), sets foreign files in
  /// `new/` and `cur/` aside, and removes temporary files abandoned for an hour by crashed writers.
  @discardableResult
  public func reap() throws(QueueError) -> ReapReport {
    let now = environment.now()
    var report = try returnExpiredLeases(now: now)
    for fileName in try FileSystem.list(displayPath(.new)) where MessageName(fileName: fileName) == nil {
      try quarantine(fileName, in: .new, reason: "foreign file \"\(fileName)\" in new/")
      report.quarantined += 1
    }
    for fileName in try FileSystem.list(displayPath(.tmp)) {
      guard let modified = FileSystem.modificationMillis(displayPath(.tmp, fileName)),
        now - modified > SpoolQueue.temporaryFileLifetimeMilliseconds
      else { continue }
      if try FileSystem.remove(descriptor(.tmp), fileName, displayPath: displayPath(.tmp, fileName)) {
        report.removedTemporaryFiles += 1
      }
    }
    return report
  }

  /// Runs `returnExpiredLeases` at most once a second per queue object (claims call it).
  func sweepExpiredLeasesIfDue(now: Int64) throws(QueueError) {
    let last = lastLeaseSweep.load(ordering: .relaxed)
    guard last == .min || now - last >= 1000 || now < last else { return }
    guard lastLeaseSweep.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged else { return }
    _ = try returnExpiredLeases(now: now)
  }

  func returnExpiredLeases(now: Int64) throws(QueueError) -> ReapReport {
    var report = ReapReport()
    for fileName in try FileSystem.list(displayPath(.cur)) {
      guard let name = MessageName(fileName: fileName) else {
        try quarantine(fileName, in: .cur, reason: "foreign file \"\(fileName)\" in cur/")
        report.quarantined += 1
        continue
      }
      guard name.time <= now else { continue }
      if name.receives >= policy.maxAttempts {
        try settleAside { () throws(QueueError) in
          try rewrite(
            fileName, to: .dead,
            error: "lease expired on the last attempt (\(name.receives) of \(policy.maxAttempts))")
          report.deadLettered += 1
        }
      } else {
        let back = MessageName(time: now, id: name.id, receives: name.receives)
        if try FileSystem.rename(
          descriptor(.cur), fileName, descriptor(.new), back.fileName, displayPath: displayPath(.new, back.fileName))
        {
          report.returned += 1
        }
      }
    }
    return report
  }

  /// Counts the queue's messages by state.
  public func stats() throws(QueueError) -> QueueStats {
    let now = environment.now()
    var stats = QueueStats()
    for fileName in try FileSystem.list(displayPath(.new)) {
      guard let name = MessageName(fileName: fileName) else { continue }
      if name.time <= now {
        stats.ready += 1
        let age = now - MessageID.publishedMillis(name.id)
        stats.oldestReadyAgeMilliseconds = max(stats.oldestReadyAgeMilliseconds ?? 0, age)
      } else {
        stats.delayed += 1
      }
    }
    stats.inFlight = try FileSystem.list(displayPath(.cur)).count
    stats.done = try FileSystem.list(displayPath(.done)).count
    stats.dead = try FileSystem.list(displayPath(.dead)).count
    return stats
  }

  /// Reads up to `limit` messages in `state`, earliest time first, without claiming them.
  public func peek(_ state: MessageState = .ready, limit: Int = 10) throws(QueueError) -> [StoredMessage] {
    let subdirectory = Subdirectory(state)
    let names = try FileSystem.list(displayPath(subdirectory)).compactMap(MessageName.init(fileName:)).sorted()
    var messages: [StoredMessage] = []
    for name in names.prefix(max(0, limit)) {
      var message = StoredMessage(
        id: name.id, state: state, receiveCount: name.receives, time: name.time, publishedAt: nil, lastError: nil,
        body: nil)
      do {
        guard
          let bytes = try readMessageFile(subdirectory, name.fileName)
        else { continue }
        switch MessageFile.decode(bytes, expectedID: name.id, checkBody: state == .ready || state == .inFlight) {
        case .success(let file):
          message.publishedAt = file.header.publishedAt
          message.lastError = file.header.lastError
          message.body = file.body
        case .failure(let corruption):
          message.lastError = "unreadable message file: \(corruption.reason)"
        }
      } catch {
        message.lastError = "unreadable message file: \(error)"
      }
      messages.append(message)
    }
    return messages
  }

  /// Moves messages from `done/` or `dead/` back to `new/`, ready now with a fresh attempt count.
  ///
  /// With an id, replays that message (throwing `messageNotFound` when it is not there);
  /// without one, replays every message in the state. Returns the replayed ids.
  @discardableResult
  public func replay(from state: MessageState, id: String? = nil) throws(QueueError) -> [String] {
    guard state == .done || state == .dead else { throw .invalidPolicy("replay reads done/ or dead/ only") }
    let subdirectory = Subdirectory(state)
    var names = try FileSystem.list(displayPath(subdirectory)).compactMap(MessageName.init(fileName:)).sorted()
    if let id { names = names.filter { $0.id == id } }
    var replayed: [String] = []
    let now = environment.now()
    for name in names {
      let ready = MessageName(time: now, id: name.id, receives: 0)
      if try FileSystem.rename(
        descriptor(subdirectory), name.fileName, descriptor(.new), ready.fileName,
        displayPath: displayPath(.new, ready.fileName))
      {
        replayed.append(name.id)
      }
    }
    if let id, replayed.isEmpty { throw .messageNotFound(id: id) }
    if !replayed.isEmpty { try FileSystem.syncDirectory(descriptor(.new), path: displayPath(.new)) }
    return replayed
  }

  /// Deletes every file in `done/` or `dead/`; returns how many.
  @discardableResult
  public func purge(_ state: MessageState) throws(QueueError) -> Int {
    guard state == .done || state == .dead else { throw .invalidPolicy("purge empties done/ or dead/ only") }
    let subdirectory = Subdirectory(state)
    var removed = 0
    for fileName in try FileSystem.list(displayPath(subdirectory))
    where try FileSystem.remove(descriptor(subdirectory), fileName, displayPath: displayPath(subdirectory, fileName)) {
      removed += 1
    }
    return removed
  }
}
