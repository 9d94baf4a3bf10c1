#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

/// Writes `text` and a newline to standard output (or to `descriptor`).
package func writeLine(_ text: String, to descriptor: Int32 = 1) {
  var line = text
  line.append("\n")
  line.utf8.withContiguousStorageIfAvailable { writeAll(descriptor, UnsafeRawBufferPointer($0)) }
    ?? Array(line.utf8).withUnsafeBytes { writeAll(descriptor, $0) }
}

/// Writes every byte of `bytes` to `descriptor`, retrying short writes and EINTR.
package func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) {
  guard var base = bytes.baseAddress else { return }
  var remaining = bytes.count
  while remaining > 0 {
    let written = write(descriptor, base, remaining)
    if written < 0 {
      if errno == EINTR { continue }
      return
    }
    remaining -= written
    base += written
  }
}

/// The result of reading a bounded input.
package enum BoundedInput: Equatable, Sendable {
  /// The whole input, within the limit.
  case complete([UInt8])
  /// More than `limit` bytes arrived; reading stopped there.
  case tooLarge
  /// The descriptor could not be read.
  case unreadable(errno: Int32)
}

/// Reads `descriptor` to end of file, or up to `exactly` bytes when given (CGI's
/// CONTENT_LENGTH), never holding more than `limit` + 1 bytes.
package func readBounded(_ descriptor: Int32, limit: Int, exactly: Int? = nil) -> BoundedInput {
  if let exactly, exactly > limit { return .tooLarge }
  let cap = exactly ?? (limit + 1)
  var buffer = [UInt8](repeating: 0, count: min(cap, 64 * 1024))
  var filled = 0
  while filled < cap {
    if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: min(buffer.count, cap - filled))) }
    let count = buffer.withUnsafeMutableBytes { raw in
      read(descriptor, raw.baseAddress! + filled, min(raw.count, cap) - filled)
    }
    if count < 0 {
      if errno == EINTR { continue }
      return .unreadable(errno: errno)
    }
    if count == 0 { break }
    filled += count
  }
  if exactly == nil && filled > limit { return .tooLarge }
  return .complete(Array(buffer[0..<filled]))
}
