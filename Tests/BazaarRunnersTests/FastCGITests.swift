import BazaarRunners
import Testing

@Suite struct FastCGITests {
  /// The records a web server sends for one request: begin, parameters, their end, body, its end.
  func request(_ id: UInt16, keep: Bool = false, parameters: [(String, String)], body: [UInt8] = []) -> [UInt8] {
    FastCGI.records(.beginRequest, requestID: id, content: [0, 1, keep ? 1 : 0, 0, 0, 0, 0, 0])
      + FastCGI.records(.params, requestID: id, content: FastCGI.encode(pairs: parameters))
      + FastCGI.records(.params, requestID: id, content: [])
      + (body.isEmpty ? [] : FastCGI.records(.stdin, requestID: id, content: body))
      + FastCGI.records(.stdin, requestID: id, content: [])
  }

  func feed(_ bytes: [UInt8], into connection: inout FastCGI.Connection, chunk: Int) throws -> [FastCGI.Action] {
    var reader = FastCGI.RecordReader()
    var actions: [FastCGI.Action] = []
    for start in stride(from: 0, to: bytes.count, by: chunk) {
      reader.append(bytes[start..<min(bytes.count, start + chunk)])
      while let record = try reader.next() { actions += try connection.receive(record) }
    }
    return actions
  }

  @Test func interleavedRequestsArriveWholeWhateverTheChunking() throws {
    let long = String(repeating: "v", count: 300)  // a value past 127 bytes: a four-byte length
    let first = request(1, keep: true, parameters: [("REQUEST_METHOD", "GET"), ("LONG", long)])
    let second = request(2, parameters: [("REQUEST_METHOD", "POST")], body: Array("{\"a\":1}".utf8))
    for chunk in [1, 3, 7, 4096] {
      var connection = FastCGI.Connection(maxBodyBytes: 1024)
      let actions = try feed(second + first, into: &connection, chunk: chunk)
      #expect(actions == [.run(2), .run(1)])
      let taken = connection.take(1)
      let one = try #require(taken)
      let taken2 = connection.take(2)
      let two = try #require(taken2)
      #expect(one.parameters["LONG"] == long && one.keepConnection && one.body.isEmpty)
      #expect(two.parameters["REQUEST_METHOD"] == "POST" && two.body == Array("{\"a\":1}".utf8) && !two.keepConnection)
      let again = connection.take(1)
      #expect(again == nil, "a request is handed over once")
    }
  }

  @Test func aBodyPastTheLimitIsDroppedAndFlagged() throws {
    var connection = FastCGI.Connection(maxBodyBytes: 10)
    _ = try feed(request(1, parameters: [], body: Array(repeating: 32, count: 11)), into: &connection, chunk: 4096)
    let taken = connection.take(1)
    let request = try #require(taken)
    #expect(request.bodyTooLarge && request.body.isEmpty)
  }

  @Test func otherRolesAbortsAndManagementAreAnswered() throws {
    var connection = FastCGI.Connection(maxBodyBytes: 10)
    let authorizer = FastCGI.records(.beginRequest, requestID: 5, content: [0, 2, 0, 0, 0, 0, 0, 0])
    #expect(
      try feed(authorizer, into: &connection, chunk: 64) == [.send(FastCGI.endRequest(requestID: 5, protocolStatus: 3))]
    )
    let begun = FastCGI.records(.beginRequest, requestID: 6, content: [0, 1, 0, 0, 0, 0, 0, 0])
    let abort = FastCGI.records(.abortRequest, requestID: 6, content: [])
    #expect(
      try feed(begun + abort, into: &connection, chunk: 64) == [
        .send(FastCGI.endRequest(requestID: 6, protocolStatus: 0))
      ])
    let ask = FastCGI.records(
      .getValues, requestID: 0, content: FastCGI.encode(pairs: [("FCGI_MPXS_CONNS", ""), ("OTHER", "")]))
    #expect(
      try feed(ask, into: &connection, chunk: 64) == [
        .send(
          FastCGI.records(.getValuesResult, requestID: 0, content: FastCGI.encode(pairs: [("FCGI_MPXS_CONNS", "1")])))
      ])
    #expect(
      try feed([1, 42, 0, 0, 0, 0, 0, 0], into: &connection, chunk: 64) == [
        .send(FastCGI.records(.unknownType, requestID: 0, content: [42, 0, 0, 0, 0, 0, 0, 0]))
      ])
  }

  @Test func brokenStreamsAreViolations() {
    var connection = FastCGI.Connection(maxBodyBytes: 10)
    #expect(throws: FastCGI.ProtocolViolation.self) { try feed([2, 1, 0, 1, 0, 0, 0, 0], into: &connection, chunk: 8) }
    let begin = FastCGI.records(.beginRequest, requestID: 1, content: [0, 1, 0, 0, 0, 0, 0, 0])
    #expect(throws: FastCGI.ProtocolViolation.self) {
      try feed(begin + FastCGI.records(.stdin, requestID: 1, content: [1]), into: &connection, chunk: 64)
    }
    #expect(throws: FastCGI.ProtocolViolation.self) { try FastCGI.pairs([5, 1, 65]) }
  }

  @Test func answersAreSplitIntoPaddedRecords() throws {
    let document = Array(repeating: UInt8(ascii: "x"), count: 70_000)
    var reader = FastCGI.RecordReader()
    reader.append(FastCGI.response(document, requestID: 9))
    var records: [FastCGI.Record] = []
    while let record = try reader.next() { records.append(record) }
    #expect(records.map(\.type) == [6, 6, 6, 3])
    #expect(records[0].content.count == 65_535 && records[0].content + records[1].content == document)
    #expect(records[2].content.isEmpty && records.allSatisfy { $0.requestID == 9 })
  }
}
