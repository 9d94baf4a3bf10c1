#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

/// Why a queue operation was refused or failed, whichever backend keeps the queue.
public enum QueueError: Error, Equatable, Sendable, CustomStringConvertible {
  /// No queue of this name exists (reading commands never create one).
  case queueNotFound(String)
  /// The queue name is empty, too long, a dot name, or holds characters outside `[A-Za-z0-9._-]`.
  case invalidQueueName(String)
  /// The message is larger than the queue's limit.
  case messageTooLarge(size: Int, limit: Int)
  /// The message is not a CloudEvents 1.0 JSON object; the text says which rule it broke.
  case invalidMessage(String)
  /// The receipt is not one this spool hands out.
  case invalidReceipt(String)
  /// The lease behind the receipt is gone: it expired and the message went back, or it was acked.
  case leaseLost(receipt: String)
  /// No message with this id is in the state asked for.
  case messageNotFound(id: String)
  /// A policy value is out of range.
  case invalidPolicy(String)
  /// A system call failed.
  case system(operation: String, path: String, errno: Int32)
  /// A message's file is not a regular file (a FIFO, a socket, a device): it is never read.
  case notRegularFile(path: String, kind: String)

  public var description: String {
    switch self {
    case .queueNotFound(let name): "no queue named \"\(name)\"; `bazaar queue ls` lists them"
    case .invalidQueueName(let name):
      "invalid queue name \"\(name)\": use 1 to 100 characters from [A-Za-z0-9._-], not a dot name"
    case .messageTooLarge(let size, let limit): "message of \(size) bytes exceeds the queue's limit of \(limit) bytes"
    case .invalidMessage(let reason): "invalid message: \(reason)"
    case .invalidReceipt(let receipt): "invalid receipt \"\(receipt)\""
    case .leaseLost(let receipt): "the lease for receipt \"\(receipt)\" is no longer held (expired or settled)"
    case .messageNotFound(let id): "no message \"\(id)\""
    case .invalidPolicy(let reason): "invalid queue policy: \(reason)"
    case .system(let operation, let path, let code): "\(operation) \(path): \(systemErrorText(code)) (errno \(code))"
    case .notRegularFile(let path, let kind): "\(path) is a \(kind), not a regular file"
    }
  }
}

/// The text of an errno value.
func systemErrorText(_ code: Int32) -> String {
  String(cString: strerror(code))
}
