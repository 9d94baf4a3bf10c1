public import QueuePort
internal import Synchronization

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

extension SpoolQueue {
  /// Claims the ready message with the earliest ready time, or returns nil when none is ready.
  ///
  /// The claim is one `rename` from `new/` into `cur/`: of several consumers in several
  /// processes, exactly one gets each message. The lease (default: the policy's visibility
  /// timeout) ends at `leaseExpiresAt`; a message still unsettled then goes back to `new/`
  /// with its receive count kept. Unreadable files met on the way are moved to `dead/`.
  public func claim(leaseMilliseconds: Int64? = nil) throws(QueueError) -> ClaimedMessage? {
    try claimOrNextReadyTime(leaseMilliseconds: leaseMilliseconds).message
  }

  /// Claims like `claim`, waiting up to `waitMilliseconds` for a message to become ready.
  ///
  /// Waiting sleeps on inotify (polling where it is missing) and wakes when a message arrives,
  /// a delayed one comes due, or `shouldStop` turns true (checked at least every 250 ms).
  public func claim(
    leaseMilliseconds: Int64? = nil, waitMilliseconds: Int64, shouldStop: () -> Bool = { false }
  ) throws(QueueError) -> ClaimedMessage? {
    let deadline = environment.now() + max(0, waitMilliseconds)
    var watcher: DirectoryWatcher?  // made on the first wait: most claims in a busy queue never wait
    while true {
      let attempt = try claimOrNextReadyTime(leaseMilliseconds: leaseMilliseconds)
      if let message = attempt.message { return message }
      let now = environment.now()
      if now >= deadline || shouldStop() { return nil }
      var wake = min(deadline, now + 250)
      if let next = attempt.nextReadyAt { wake = min(wake, max(next, now + 1)) }
      if watcher == nil { watcher = DirectoryWatcher(path: displayPath(.new)) }
      watcher?.wait(milliseconds: Int(wake - now))
    }
  }

  func claimOrNextReadyTime(
    leaseMilliseconds: Int64?
  ) throws(QueueError) -> (
    message: ClaimedMessage?, nextReadyAt: Int64?
  ) {
    let lease = leaseMilliseconds ?? policy.visibilityTimeoutMilliseconds
    guard lease > 0 else { throw .invalidPolicy("the lease must be positive") }
    var now = environment.now()
    try sweepExpiredLeasesIfDue(now: now)
    var nextReadyAt: Int64?
    while true {
      var next = readyNames.withLock { $0.popLast() }
      if next == nil {
        // The names taken from the last listing are used up: list `new/` again.
        let listing = try listReady(now: now)
        nextReadyAt = listing.nextReadyAt
        next = listing.first
      }
      guard let name = next else { break }
      now = environment.now()
      let claimed = MessageName(time: now + lease, id: name.id, receives: name.receives + 1)
      let moved = try FileSystem.rename(
        descriptor(.new), name.fileName, descriptor(.cur), claimed.fileName,
        displayPath: displayPath(.cur, claimed.fileName))
      guard moved else { continue }
      fault(.afterClaimRename)
      if name.receives >= policy.maxAttempts {
        try settleAside { () throws(QueueError) in
          try rewrite(
            claimed.fileName, to: .dead, error: "no attempts left (\(name.receives) of \(policy.maxAttempts))")
        }
        continue
      }
      let bytes: [UInt8]?
      do {
        bytes = try readMessageFile(.cur, claimed.fileName)
      } catch {
        try setAside(claimed.fileName, from: .cur, unreadable: error)
        continue
      }
      guard let bytes else { continue }
      fault(.afterClaimRead)
      switch MessageFile.decode(bytes, expectedID: name.id) {
      case .failure(let corruption):
        try settleAside { () throws(QueueError) in
          try rewrite(claimed.fileName, to: .dead, error: "corrupt message file: \(corruption.reason)")
        }
      case .success(let file):
        return (
          ClaimedMessage(
            id: name.id, receipt: claimed.fileName, receiveCount: claimed.receives, leaseExpiresAt: claimed.time,
            publishedAt: file.header.publishedAt, lastError: file.header.lastError, body: file.body),
          nextReadyAt
        )
      }
    }
    return (nil, nextReadyAt)
  }

  /// How many ready names one listing of `new/` keeps for the claims after it.
  static let readyNamesPerListing = 8192

  /// Lists `new/` (quarantining foreign files): the earliest ready name, with up to
  /// `readyNamesPerListing - 1` more in `readyNames` for the next claims, and when the first
  /// message not yet ready comes due. A claim lists only when the names of the last listing are
  /// used up, so its cost does not grow with the backlog: a listing of 100,000 ready messages
  /// serves the next 8,192 claims of this process. Other consumers may have taken some of those
  /// names meanwhile; their rename fails and the claim moves on. Messages that become ready
  /// later (published, returned by a sweep, nacked) are ready no earlier than the listing, so
  /// they would come after its names in time order anyway.
  private func listReady(now: Int64) throws(QueueError) -> (first: MessageName?, nextReadyAt: Int64?) {
    var ready: [MessageName] = []
    var nextReadyAt: Int64?
    for fileName in try FileSystem.list(displayPath(.new)) {
      guard let name = MessageName(fileName: fileName) else {
        try quarantine(fileName, in: .new, reason: "foreign file \"\(fileName)\" in new/")
        continue
      }
      if name.time <= now {
        ready.append(name)
      } else {
        nextReadyAt = min(nextReadyAt ?? .max, name.time)
      }
    }
    guard !ready.isEmpty else { return (nil, nextReadyAt) }
    ready.sort()
    let kept = ready.prefix(Self.readyNamesPerListing)
    readyNames.withLock { $0 = kept.dropFirst().reversed() }
    return (kept.first, nextReadyAt)
  }

  /// Settles a claimed message: deletes it, or moves it to `done/` when the policy retains acked messages.
  ///
  /// Throws `leaseLost` when the message is no longer held under this receipt (its lease
  /// expired and it went back, or it was already settled).
  public func ack(_ receipt: String) throws(QueueError) {
    let name = try parseReceipt(receipt)
    let settled: Bool
    if policy.retainAcked {
      let done = MessageName(time: environment.now(), id: name.id, receives: name.receives)
      settled = try FileSystem.rename(
        descriptor(.cur), receipt, descriptor(.done), done.fileName, displayPath: displayPath(.done, done.fileName))
    } else {
      settled = try FileSystem.remove(descriptor(.cur), receipt, displayPath: displayPath(.cur, receipt))
    }
    guard settled else { throw .leaseLost(receipt: receipt) }
    fault(.afterAck)
  }

  /// Gives a claimed message back for another attempt after a delay (default: the policy's backoff).
  ///
  /// With an error text, the text is recorded in the message. A message that has used its
  /// `maxAttempts` moves to `dead/` instead, with the error.
  @discardableResult
  public func nack(
    _ receipt: String, delayMilliseconds: Int64? = nil, error: String? = nil
  ) throws(QueueError)
    -> NackOutcome
  {
    let name = try parseReceipt(receipt)
    if name.receives >= policy.maxAttempts {
      let reason = error ?? "failed without an error text"
      try rewrite(receipt, to: .dead, error: "\(reason) (attempt \(name.receives) of \(policy.maxAttempts))")
      return .deadLettered
    }
    let delay = max(
      0, delayMilliseconds ?? policy.backoff.delayMilliseconds(afterReceives: name.receives, random: environment.random)
    )
    let readyAt = environment.now() + delay
    if let error {
      try rewrite(receipt, to: .new, time: readyAt, error: error)
    } else {
      let retry = MessageName(time: readyAt, id: name.id, receives: name.receives)
      let moved = try FileSystem.rename(
        descriptor(.cur), receipt, descriptor(.new), retry.fileName, displayPath: displayPath(.new, retry.fileName))
      guard moved else { throw .leaseLost(receipt: receipt) }
    }
    return .retryAt(readyAt)
  }

  /// Extends a held lease to `milliseconds` from now and returns the new receipt (the old one stops working).
  public func extendLease(_ receipt: String, milliseconds: Int64) throws(QueueError) -> ClaimedLease {
    let name = try parseReceipt(receipt)
    guard milliseconds > 0 else { throw .invalidPolicy("the lease must be positive") }
    let extended = MessageName(time: environment.now() + milliseconds, id: name.id, receives: name.receives)
    let moved = try FileSystem.rename(
      descriptor(.cur), receipt, descriptor(.cur), extended.fileName, displayPath: displayPath(.cur, extended.fileName))
    guard moved else { throw .leaseLost(receipt: receipt) }
    return ClaimedLease(receipt: extended.fileName, expiresAt: extended.time)
  }

  func parseReceipt(_ receipt: String) throws(QueueError) -> MessageName {
    guard let name = MessageName(fileName: receipt) else { throw .invalidReceipt(receipt) }
    return name
  }

  /// Moves a message held in `cur/` to `new/` or `dead/`, recording `error` in its header.
  ///
  /// The steps keep exactly one copy at every instant: take the file under a fresh
  /// 60-second name in `cur/` (proving the lease is still held), write the new contents in
  /// `tmp/` and fsync them, rename them over the held file, then rename it to its destination.
  func rewrite(_ receipt: String, to destination: Subdirectory, time: Int64? = nil, error: String) throws(QueueError) {
    guard let name = MessageName(fileName: receipt) else { throw .invalidReceipt(receipt) }
    let now = environment.now()
    let held = MessageName(time: now + SpoolQueue.rewriteLeaseMilliseconds, id: name.id, receives: name.receives)
    guard
      try FileSystem.rename(
        descriptor(.cur), receipt, descriptor(.cur), held.fileName, displayPath: displayPath(.cur, held.fileName))
    else { throw .leaseLost(receipt: receipt) }
    let bytes: [UInt8]?
    do {
      bytes = try readMessageFile(.cur, held.fileName)
    } catch {
      try setAside(held.fileName, from: .cur, unreadable: error)
      return
    }
    guard let bytes else { throw .leaseLost(receipt: receipt) }
    let header: MessageHeader
    let body: [UInt8]
    switch MessageFile.decode(bytes, expectedID: name.id) {
    case .success(let file):
      header = MessageHeader(
        id: file.header.id, publishedAt: file.header.publishedAt, lastError: error, lastErrorAt: now)
      body = file.body
    case .failure:
      guard bytes.count <= messageFileLimit else {
        try moveAside(held.fileName, from: .cur)
        return
      }
      header = MessageHeader(id: name.id, publishedAt: now, lastError: error, lastErrorAt: now)
      body = bytes
    }
    let temporary = name.id + ".rewrite." + String(environment.random(Int.max), radix: 16)
    try FileSystem.writeNewFile(
      directory: descriptor(.tmp), name: temporary, parts: [header.encoded, body],
      displayPath: displayPath(.tmp, temporary))
    _ = try FileSystem.rename(
      descriptor(.tmp), temporary, descriptor(.cur), held.fileName, displayPath: displayPath(.cur, held.fileName))
    let final = MessageName(time: time ?? now, id: name.id, receives: name.receives)
    _ = try FileSystem.rename(
      descriptor(.cur), held.fileName, descriptor(destination), final.fileName,
      displayPath: displayPath(destination, final.fileName))
    if destination == .dead { try FileSystem.syncDirectory(descriptor(.dead), path: displayPath(.dead)) }
  }

  /// Takes a foreign file (a name this library did not write) out of `new/` or `cur/` into `dead/`.
  func quarantine(_ fileName: String, in subdirectory: Subdirectory, reason: String) throws(QueueError) {
    let held = MessageName(
      time: environment.now() + SpoolQueue.rewriteLeaseMilliseconds, id: newID(now: environment.now()), receives: 0)
    guard
      try FileSystem.rename(
        descriptor(subdirectory), fileName, descriptor(.cur), held.fileName,
        displayPath: displayPath(.cur, held.fileName))
    else { return }
    try settleAside { () throws(QueueError) in try rewrite(held.fileName, to: .dead, error: reason) }
  }

  /// Runs a step that sets a file aside, treating "someone else got there first" as done.
  func settleAside(_ step: () throws(QueueError) -> Void) throws(QueueError) {
    do { try step() } catch .leaseLost { return }
  }

  /// Sets aside a file that could not be read: a FIFO, socket or device is replaced by a dead
  /// letter that says what it was (renamed over it, so there is one entry at every instant);
  /// anything else (a directory, an unreadable file) moves to `dead/` as it is.
  func setAside(_ fileName: String, from subdirectory: Subdirectory, unreadable error: QueueError) throws(QueueError) {
    guard case .notRegularFile(_, let kind) = error, kind != "directory" else {
      try moveAside(fileName, from: subdirectory)
      return
    }
    let name =
      MessageName(fileName: fileName)
      ?? MessageName(time: 0, id: newID(now: environment.now()), receives: 0)
    let now = environment.now()
    let header = MessageHeader(
      id: name.id, publishedAt: now, lastError: "not a regular file (a \(kind)); set aside unread", lastErrorAt: now)
    let temporary = name.id + ".special." + String(environment.random(Int.max), radix: 16)
    try FileSystem.writeNewFile(
      directory: descriptor(.tmp), name: temporary, parts: [header.encoded], displayPath: displayPath(.tmp, temporary))
    guard
      try FileSystem.rename(
        descriptor(.tmp), temporary, descriptor(subdirectory), fileName,
        displayPath: displayPath(subdirectory, fileName))
    else { return }
    let dead = MessageName(time: now, id: name.id, receives: name.receives)
    _ = try FileSystem.rename(
      descriptor(subdirectory), fileName, descriptor(.dead), dead.fileName,
      displayPath: displayPath(.dead, dead.fileName))
    try FileSystem.syncDirectory(descriptor(.dead), path: displayPath(.dead))
  }

  /// Moves a file that cannot be read or rewritten (a directory, an oversized file) to `dead/` as it is.
  func moveAside(_ fileName: String, from subdirectory: Subdirectory) throws(QueueError) {
    let name =
      MessageName(fileName: fileName)
      ?? MessageName(time: 0, id: newID(now: environment.now()), receives: 0)
    let dead = MessageName(time: environment.now(), id: name.id, receives: name.receives)
    _ = try FileSystem.rename(
      descriptor(subdirectory), fileName, descriptor(.dead), dead.fileName,
      displayPath: displayPath(.dead, dead.fileName))
  }
}
