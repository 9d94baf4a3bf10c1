internal import BazaarFunctions
internal import BazaarJSON
internal import BazaarRunners
internal import HTTPTypes
internal import NIOCore
internal import NIOHTTPTypes

/// Turns the bare `400 Bad Request` (no body, no request id) that Hummingbird writes when the
/// HTTP parser refuses a request (a URL with raw UTF-8 in it, say) into the problem object
/// every other answer is: `bad_request`, with an `X-Request-Id`. The responder never sends an
/// empty 400 itself, so the two cannot be confused.
final class UnparsableRequestAnswer: ChannelOutboundHandler, RemovableChannelHandler {
  typealias OutboundIn = HTTPResponsePart
  typealias OutboundOut = HTTPResponsePart

  private let requestID: @Sendable () -> String

  init(requestID: @escaping @Sendable () -> String) {
    self.requestID = requestID
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    guard case .head(let head) = unwrapOutboundIn(data), head.status == .badRequest,
      head.headerFields[.contentLength] == "0", head.headerFields[.contentType] == nil
    else {
      context.write(data, promise: promise)
      return
    }
    let id = requestID()
    var problem = Problem.unparsableRequest
    problem.requestId = id
    let body = Array(problem.json.serialized.utf8) + [0x0A]
    var fields = head.headerFields
    fields[.contentType] = "application/problem+json"
    fields[.contentLength] = String(body.count)
    fields[HTTPField.Name("X-Request-Id")!] = id
    var answer = head
    answer.headerFields = fields
    context.write(wrapOutboundOut(.head(answer)), promise: nil)
    context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: promise)
  }
}
