internal import ArgumentParser
internal import BazaarCore
internal import BazaarFunctions
internal import BazaarJSON
internal import BazaarRunners
internal import Foundation
internal import Spool

#if canImport(Glibc)
  internal import Glibc
#endif

/// `bazaar queue …`: the spool's operator commands. Every answer is one JSON value on stdout;
/// refusals are problem objects with the contract's exit codes.
struct QueueCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "queue", abstract: "Publish, take, settle, inspect and work the spool's directory queues.",
    discussion: """
      Queues live under $BAZAAR_HOME/queues (or --spool DIR), one directory per queue with \
      tmp/ new/ cur/ done/ dead/ (see docs/queues.md). Exit codes: 0 ok, 64 usage, 65 refused \
      (bad message, unknown receipt or id), 70 spool failure, 75 nothing to take yet.
      """,
    subcommands: [
      Put.self, Take.self, Ack.self, Nack.self, Extend.self, Stats.self, List.self, Peek.self, Replay.self,
      Purge.self, Reap.self, Work.self, Create.self,
    ])
}

/// The `--spool` option every queue subcommand takes.
struct SpoolOptions: ParsableArguments {
  @Option(help: "The spool root (default: $BAZAAR_HOME/queues).")
  var spool: String?

  func open() throws -> Spool {
    if let spool { return Spool(root: spool) }
    let configuration = try Configuration()
    return Spool(
      root: configuration.home + "/queues", environment: .live, host: nil, fault: SpoolFaults.fromEnvironment)
  }

  func queue(_ name: String) throws -> SpoolQueue { try open().queue(name) }
}

/// Test-only crash points: a debug build reads `BAZAAR_SPOOL_FAULT=POINT` and exits with 86 there.
enum SpoolFaults {
  static let fromEnvironment: @Sendable (SpoolFaultPoint) -> Void = {
    #if DEBUG
      let chosen = getenv("BAZAAR_SPOOL_FAULT").map { String(cString: $0) }
      return { point in if point.rawValue == chosen { _exit(86) } }
    #else
      return { _ in }
    #endif
  }()
}

/// Runs a queue command body, turning spool errors into problem objects and exit codes.
func runQueueCommand(_ body: () throws -> JSONOutput) throws {
  do {
    try body().write()
  } catch let error as SpoolError {
    let problem = problem(for: error)
    writeLine(problem.json.serialized)
    throw ExitCode(problem.exitCode)
  } catch let error as any ProblemConvertible {
    let problem = error.problem
    writeLine(problem.json.serialized)
    throw ExitCode(problem.exitCode)
  }
}

/// What a queue command prints: a JSON value, optionally with one raw JSON member spliced in.
struct JSONOutput {
  var value: JSONValue
  var raw: (key: String, bytes: [UInt8])?
  var rawText: String?

  init(_ value: JSONValue, raw: (key: String, bytes: [UInt8])? = nil) {
    self.value = value
    self.raw = raw
  }

  /// Output already serialized (lists that splice message bodies).
  init(_ value: JSONValue, rawText: String) {
    self.value = value
    self.rawText = rawText
  }

  func write() {
    if let rawText { return writeLine(rawText) }
    var text = value.serialized
    if let raw, text.hasSuffix("}") {
      text.removeLast()
      if text != "{" { text += "," }
      JSONValue.writeString(raw.key, to: &text)
      text += ":" + String(decoding: raw.bytes, as: UTF8.self) + "}"
    }
    writeLine(text)
  }
}

func writeLine(_ text: String) {
  var line = text
  line.append("\n")
  line.utf8.withContiguousStorageIfAvailable { writeAll(1, UnsafeRawBufferPointer($0)) }
    ?? Array(line.utf8).withUnsafeBytes { writeAll(1, $0) }
}

/// Seconds on the command line (fractions allowed) as milliseconds.
func milliseconds(_ seconds: Double?, option: String) throws -> Int64? {
  guard let seconds else { return nil }
  guard seconds.isFinite, seconds >= 0, seconds <= 14 * 86_400 else {
    throw ValidationError("\(option) takes seconds from 0 to 1209600")
  }
  return Int64((seconds * 1000).rounded())
}

func rfc3339(_ milliseconds: Int64) -> JSONValue { .string(Timestamp(milliseconds: milliseconds).rfc3339) }

/// A spool error as the problem object the command prints.
func problem(for error: SpoolError) -> Problem {
  let description = error.description
  return switch error {
  case .invalidQueueName:
    Problem(status: 400, code: "invalid_queue_name", title: "Invalid queue name", detail: description)
  case .messageTooLarge:
    Problem(status: 413, code: "message_too_large", title: "Message too large", detail: description)
  case .invalidMessage:
    Problem(status: 422, code: "invalid_message", title: "Not a CloudEvents 1.0 JSON message", detail: description)
  case .invalidReceipt: Problem(status: 400, code: "invalid_receipt", title: "Invalid receipt", detail: description)
  case .leaseLost: Problem(status: 409, code: "lease_lost", title: "Lease no longer held", detail: description)
  case .messageNotFound: Problem(status: 404, code: "message_not_found", title: "No such message", detail: description)
  case .invalidPolicy:
    Problem(status: 400, code: "invalid_queue_policy", title: "Invalid queue policy", detail: description)
  case .system: Problem(status: 500, code: "spool_failure", title: "Spool failure", detail: description)
  }
}

/// A message state as `--from` names it: the directory.
enum StateArgument: String, ExpressibleByArgument {
  case new, cur, done, dead

  var state: MessageState { MessageState(rawValue: rawValue)! }
}
