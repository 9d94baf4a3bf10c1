package import BazaarFunctions
package import BazaarJSON
internal import BazaarRunners

/// What a queue command prints: a JSON value, optionally with one raw JSON member spliced in.
package struct QueueAnswer {
  var value: JSONValue
  var raw: (key: String, bytes: [UInt8])?
  var rawText: String?

  package init(_ value: JSONValue, raw: (key: String, bytes: [UInt8])? = nil) {
    self.value = value
    self.raw = raw
  }

  /// Lines of text for a person (`bazaar status` without `--json`).
  package static func text(_ text: String) -> QueueAnswer { QueueAnswer(.null, rawText: text) }

  /// Output already serialized (lists that splice message bodies).
  init(_ value: JSONValue, rawText: String) {
    self.value = value
    self.rawText = rawText
  }

  /// Runs `body` and prints its answer, or the problem object of its error; returns the exit
  /// code (0, or the problem's: 64 for a missing program, 65 refused, 70 failure, 75 retry).
  package static func respond(_ body: () throws -> QueueAnswer) -> Int32 {
    do {
      try body().write()
      return SysExits.ok
    } catch let error as any ProblemConvertible {
      let problem = error.problem
      writeLine(problem.json.serialized)
      return error is ProgramNotFound ? SysExits.usage : problem.exitCode
    } catch {
      let problem = Problem.internalError
      writeLine(problem.json.serialized)
      return problem.exitCode
    }
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
