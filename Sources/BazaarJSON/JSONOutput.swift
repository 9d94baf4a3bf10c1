/// Where JSON text is written: a byte array, or the growable buffer of a `JSONWriter`.
package protocol JSONOutput: ~Copyable {
  mutating func writeByte(_ byte: UInt8)
  mutating func writeBytes(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension [UInt8]: JSONOutput {
  package mutating func writeByte(_ byte: UInt8) { append(byte) }
  package mutating func writeBytes(_ bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}

/// A growable byte buffer that owns its memory: appending is a capacity check and a copy, with
/// none of an array's uniqueness checks. Its bytes leave it as an array (`bytes`).
struct JSONBuffer: JSONOutput, ~Copyable {
  private var start: UnsafeMutablePointer<UInt8>
  private var count = 0
  private var capacity: Int

  init(capacity: Int) {
    self.capacity = max(capacity, 16)
    start = .allocate(capacity: self.capacity)
  }

  deinit {
    start.deallocate()
  }

  /// The bytes written so far, copied out.
  var bytes: [UInt8] { Array(UnsafeBufferPointer(start: start, count: count)) }

  /// Makes room for `extra` more bytes, so that many `appendUnchecked` calls need no check.
  mutating func reserve(_ extra: Int) {
    if count + extra > capacity { grow(toHold: extra) }
  }

  /// Appends a byte there is room for (`reserve`).
  mutating func appendUnchecked(_ byte: UInt8) {
    start[count] = byte
    count += 1
  }

  /// Appends `length` bytes from `source` there is room for (`reserve`).
  mutating func appendUnchecked(_ source: UnsafePointer<UInt8>, count length: Int) {
    (start + count).update(from: source, count: length)
    count += length
  }

  mutating func writeByte(_ byte: UInt8) {
    if count == capacity { grow(toHold: 1) }
    start[count] = byte
    count += 1
  }

  mutating func writeBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    if count + bytes.count > capacity { grow(toHold: bytes.count) }
    if bytes.count <= 16 {
      // Keys, ids and numbers: a loop is cheaper than a call to memmove.
      for index in 0..<bytes.count { start[count + index] = base[index] }
    } else {
      (start + count).update(from: base, count: bytes.count)
    }
    count += bytes.count
  }

  private mutating func grow(toHold extra: Int) {
    let newCapacity = max(capacity * 2, count + extra)
    let newStart = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    newStart.update(from: start, count: count)
    start.deallocate()
    start = newStart
    capacity = newCapacity
  }
}
