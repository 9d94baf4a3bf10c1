/// The FastCGI 1.0 protocol, as plain values: records, name-value pairs, and the state of one
/// connection's requests. `bazaar fcgi` wraps it in sockets; a web server (lighttpd's
/// `mod_fastcgi`, nginx's `fastcgi_pass`) is the other end.
///
/// A connection may carry several requests at once (`FCGI_MPXS_CONNS` is 1); each ends with
/// `FCGI_END_REQUEST`, and the connection closes after it unless the server asked to keep it
/// (`FCGI_KEEP_CONN`). Only the responder role exists here; others are refused as the
/// specification says (`FCGI_UNKNOWN_ROLE`).
package enum FastCGI {
  /// Record types (§8).
  package enum RecordType: UInt8, Sendable {
    case beginRequest = 1
    case abortRequest = 2
    case endRequest = 3
    case params = 4
    case stdin = 5
    case stdout = 6
    case stderr = 7
    case data = 8
    case getValues = 9
    case getValuesResult = 10
    case unknownType = 11
  }

  /// One record: its type byte, request id and content (padding already dropped).
  package struct Record: Equatable, Sendable {
    package var type: UInt8
    package var requestID: UInt16
    package var content: [UInt8]

    package init(type: UInt8, requestID: UInt16, content: [UInt8]) {
      self.type = type
      self.requestID = requestID
      self.content = content
    }
  }

  /// A byte stream that breaks the protocol: the connection is closed.
  package struct ProtocolViolation: Error, Equatable, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
  }

  /// Splits a byte stream into records.
  package struct RecordReader: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    package init() {}

    package mutating func append(_ bytes: some Collection<UInt8>) {
      if start > 0 && start == buffer.count {
        buffer.removeAll(keepingCapacity: true)
        start = 0
      }
      buffer.append(contentsOf: bytes)
    }

    /// The next whole record, or nil until more bytes arrive.
    package mutating func next() throws -> Record? {
      guard buffer.count - start >= 8 else { return nil }
      let version = buffer[start]
      guard version == 1 else { throw ProtocolViolation("FastCGI version \(version) (only 1 exists)") }
      let type = buffer[start + 1]
      let requestID = UInt16(buffer[start + 2]) << 8 | UInt16(buffer[start + 3])
      let length = Int(buffer[start + 4]) << 8 | Int(buffer[start + 5])
      let padding = Int(buffer[start + 6])
      guard buffer.count - start >= 8 + length + padding else { return nil }
      let content = Array(buffer[(start + 8)..<(start + 8 + length)])
      start += 8 + length + padding
      if start > 65_536 {
        buffer.removeFirst(start)
        start = 0
      }
      return Record(type: type, requestID: requestID, content: content)
    }
  }

  /// `content` as records of `type` (at most 65,535 bytes each, padded to 8), bytes ready to send.
  package static func records(_ type: RecordType, requestID: UInt16, content: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var offset = 0
    repeat {
      let length = min(65_535, content.count - offset)
      let padding = (8 - length % 8) % 8
      out += [
        1, type.rawValue, UInt8(requestID >> 8), UInt8(requestID & 0xFF), UInt8(length >> 8), UInt8(length & 0xFF),
        UInt8(padding), 0,
      ]
      out += content[offset..<(offset + length)]
      out += repeatElement(0, count: padding)
      offset += length
    } while offset < content.count
    return out
  }

  /// A response: the CGI document on `FCGI_STDOUT`, its end, then `FCGI_END_REQUEST`.
  package static func response(_ document: [UInt8], requestID: UInt16) -> [UInt8] {
    records(.stdout, requestID: requestID, content: document) + records(.stdout, requestID: requestID, content: [])
      + endRequest(requestID: requestID, protocolStatus: 0)
  }

  /// `FCGI_END_REQUEST` with application status 0 and `protocolStatus` (0 complete, 3 unknown role).
  package static func endRequest(requestID: UInt16, protocolStatus: UInt8) -> [UInt8] {
    records(.endRequest, requestID: requestID, content: [0, 0, 0, 0, protocolStatus, 0, 0, 0])
  }

  /// The name-value pairs of a `FCGI_PARAMS` or `FCGI_GET_VALUES` stream (§3.4).
  package static func pairs(_ bytes: [UInt8]) throws -> [(name: String, value: String)] {
    var pairs: [(name: String, value: String)] = []
    var index = 0
    func length() throws -> Int {
      guard index < bytes.count else { throw ProtocolViolation("a name-value pair is cut short") }
      if bytes[index] < 0x80 {
        index += 1
        return Int(bytes[index - 1])
      }
      guard index + 4 <= bytes.count else { throw ProtocolViolation("a name-value pair is cut short") }
      let value =
        Int(bytes[index] & 0x7F) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8
        | Int(bytes[index + 3])
      index += 4
      return value
    }
    while index < bytes.count {
      let nameLength = try length()
      let valueLength = try length()
      guard bytes.count - index >= nameLength + valueLength else {
        throw ProtocolViolation("a name-value pair is longer than its stream")
      }
      let name = String(decoding: bytes[index..<(index + nameLength)], as: UTF8.self)
      let value = String(decoding: bytes[(index + nameLength)..<(index + nameLength + valueLength)], as: UTF8.self)
      pairs.append((name, value))
      index += nameLength + valueLength
    }
    return pairs
  }

  /// `pairs` encoded as a name-value stream.
  package static func encode(pairs: [(name: String, value: String)]) -> [UInt8] {
    var out: [UInt8] = []
    func length(_ count: Int) {
      if count < 0x80 {
        out.append(UInt8(count))
      } else {
        out += [
          UInt8(0x80 | (count >> 24) & 0x7F), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF),
          UInt8(count & 0xFF),
        ]
      }
    }
    for (name, value) in pairs {
      length(name.utf8.count)
      length(value.utf8.count)
      out += name.utf8
      out += value.utf8
    }
    return out
  }

  /// One request whose parameters and body have arrived.
  package struct Request: Sendable {
    package var id: UInt16
    package var parameters: [String: String]
    package var body: [UInt8]
    /// The body passed the limit: the rest was read and dropped, and the answer is 413.
    package var bodyTooLarge: Bool
    /// Whether the connection stays open after the answer (`FCGI_KEEP_CONN`).
    package var keepConnection: Bool
  }

  /// What a connection does next.
  package enum Action: Sendable, Equatable {
    /// Run the request (its parameters and body are complete).
    case run(UInt16)
    /// Send these bytes (a management answer, or a refusal).
    case send([UInt8])
  }

  /// The requests of one connection as their records arrive. Parameters are bounded
  /// (`maxParameterBytes`); a body past `maxBodyBytes` is read and dropped.
  package struct Connection: Sendable {
    private struct Pending: Sendable {
      var keepConnection: Bool
      var parameterBytes: [UInt8] = []
      var parameters: [String: String]?
      var body: [UInt8] = []
      var bodyTooLarge = false
    }

    private var pending: [UInt16: Pending] = [:]
    private var ready: [UInt16: Request] = [:]
    private let maxBodyBytes: Int
    private let maxParameterBytes: Int

    package init(maxBodyBytes: Int, maxParameterBytes: Int = 65_536) {
      self.maxBodyBytes = maxBodyBytes
      self.maxParameterBytes = maxParameterBytes
    }

    /// Requests begun and not yet answered.
    package var inFlight: Int { pending.count + ready.count }

    /// Takes one record; returns what to do about it.
    package mutating func receive(_ record: Record) throws -> [Action] {
      guard let type = RecordType(rawValue: record.type) else {
        return [.send(FastCGI.records(.unknownType, requestID: 0, content: [record.type, 0, 0, 0, 0, 0, 0, 0]))]
      }
      switch type {
      case .getValues:
        return [.send(FastCGI.records(.getValuesResult, requestID: 0, content: try Self.values(record.content)))]
      case .beginRequest:
        guard record.content.count == 8, record.requestID != 0 else {
          throw ProtocolViolation("a malformed FCGI_BEGIN_REQUEST")
        }
        let role = UInt16(record.content[0]) << 8 | UInt16(record.content[1])
        let keep = record.content[2] & 1 == 1
        guard role == 1 else { return [.send(FastCGI.endRequest(requestID: record.requestID, protocolStatus: 3))] }
        guard pending[record.requestID] == nil, ready[record.requestID] == nil else {
          throw ProtocolViolation("request \(record.requestID) began twice")
        }
        pending[record.requestID] = Pending(keepConnection: keep)
        return []
      case .params:
        guard var request = pending[record.requestID], request.parameters == nil else { return [] }
        if record.content.isEmpty {
          request.parameters = Dictionary(
            try FastCGI.pairs(request.parameterBytes).map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
          request.parameterBytes = []
        } else {
          request.parameterBytes += record.content
          guard request.parameterBytes.count <= maxParameterBytes else {
            throw ProtocolViolation("the parameters of request \(record.requestID) pass \(maxParameterBytes) bytes")
          }
        }
        pending[record.requestID] = request
        return []
      case .stdin:
        guard var request = pending[record.requestID] else { return [] }
        guard let parameters = request.parameters else {
          throw ProtocolViolation("FCGI_STDIN before the end of FCGI_PARAMS")
        }
        if record.content.isEmpty {
          pending[record.requestID] = nil
          ready[record.requestID] = Request(
            id: record.requestID, parameters: parameters, body: request.body, bodyTooLarge: request.bodyTooLarge,
            keepConnection: request.keepConnection)
          return [.run(record.requestID)]
        }
        if !request.bodyTooLarge {
          if request.body.count + record.content.count > maxBodyBytes {
            request.bodyTooLarge = true
            request.body = []
          } else {
            request.body += record.content
          }
        }
        pending[record.requestID] = request
        return []
      case .abortRequest:
        // Not yet running: forget it and say so. Running: its answer ends it.
        guard pending.removeValue(forKey: record.requestID) != nil else { return [] }
        return [.send(FastCGI.endRequest(requestID: record.requestID, protocolStatus: 0))]
      case .data:
        return []
      case .endRequest, .stdout, .stderr, .getValuesResult, .unknownType:
        throw ProtocolViolation("a web server sent a record only an application sends (type \(type.rawValue))")
      }
    }

    /// The request `id`, handed over to run (once).
    package mutating func take(_ id: UInt16) -> Request? {
      ready.removeValue(forKey: id)
    }

    /// What `FCGI_GET_VALUES` asks for, answered: many connections and requests, multiplexed.
    private static func values(_ content: [UInt8]) throws -> [UInt8] {
      let known = ["FCGI_MAX_CONNS": "1024", "FCGI_MAX_REQS": "1024", "FCGI_MPXS_CONNS": "1"]
      return FastCGI.encode(
        pairs: try FastCGI.pairs(content).compactMap { pair in known[pair.name].map { (pair.name, $0) } })
    }
  }
}
