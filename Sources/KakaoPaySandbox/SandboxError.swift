internal import BazaarJSON
internal import Foundation
internal import GRDB
internal import Synchronization

/// A sandbox error: KakaoPay's code and words, as the current API's error body.
struct SandboxError: Error {
  var status: Int
  var code: Int
  var message: String

  init(status: Int, code: Int, message: String) {
    self.status = status
    self.code = code
    self.message = message
  }

  static func parameter(_ message: String) -> SandboxError { .init(status: 400, code: -2, message: message) }
  static func unauthorized(_ message: String) -> SandboxError { .init(status: 401, code: -730, message: message) }

  var body: JSONValue {
    [
      "error_code": .integer(Int64(code)), "error_message": .string(message),
      "extras": ["method_result_code": .string(String(code)), "method_result_message": .string(message)],
    ]
  }
}

/// The fields of a request body, read with KakaoPay's checks.
struct Fields {
  let body: JSONValue

  init(_ body: JSONValue) { self.body = body }

  func cid() throws -> String {
    let cid = try string("cid", max: 10)
    guard cid.count == 10 else { throw SandboxError(status: 400, code: -731, message: "cid must be 10 characters") }
    return cid
  }

  func string(_ name: String, max: Int) throws -> String {
    guard let text = body[name]?.stringValue, !text.isEmpty else { throw SandboxError.parameter("\(name) is required") }
    guard text.count <= max else { throw SandboxError.parameter("\(name) is longer than \(max) characters") }
    return text
  }

  func url(_ name: String) throws -> String {
    let text = try string(name, max: 255)
    guard text.hasPrefix("http://") || text.hasPrefix("https://") else {
      throw SandboxError.parameter("\(name) must be an http(s) URL")
    }
    return text
  }

  func integer(_ name: String, min: Int64) throws -> Int64 {
    guard let number = try optionalInteger(name) else { throw SandboxError.parameter("\(name) is required") }
    guard number >= min else { throw SandboxError.parameter("\(name) must be at least \(min)") }
    return number
  }

  func optionalInteger(_ name: String) throws -> Int64? {
    switch body[name] {
    case nil, .null?: return nil
    case .integer(let number)?: return number
    default: throw SandboxError.parameter("\(name) must be a whole number")
    }
  }
}
