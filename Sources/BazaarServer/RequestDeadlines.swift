internal import BazaarFunctions
internal import BazaarJSON
internal import BazaarRunners
internal import HTTPTypes
internal import NIOCore
internal import NIOHTTPTypes
internal import Synchronization

/// The limits a slow or greedy client meets on `bazaar serve`: the request head must arrive
/// within `headTimeout` of the connection opening (or of the previous answer ending), else the
/// connection is closed; the body must arrive within `bodyTimeout` of the head, else the answer
/// is 408 `request_timeout` and the connection closes. Past `maxConnections` open connections, a
/// new one is answered 503 `too_many_connections` and closed.
package struct ConnectionLimits: Sendable {
  package var headTimeout: Int64
  package var bodyTimeout: Int64
  package var maxConnections: Int

  package init(headTimeout: Int64 = 10, bodyTimeout: Int64 = 30, maxConnections: Int = 1024) {
    self.headTimeout = headTimeout
    self.bodyTimeout = bodyTimeout
    self.maxConnections = maxConnections
  }
}

/// The connections open now, shared by every connection's `RequestDeadlines`.
final class ConnectionCount: Sendable {
  private let open = Atomic<Int>(0)
  func enter() -> Int { open.add(1, ordering: .relaxed).newValue }
  func leave() { open.subtract(1, ordering: .relaxed) }
}

/// Enforces `ConnectionLimits` on one connection, between the HTTP codec and the responder.
final class RequestDeadlines: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPRequestPart
  typealias InboundOut = HTTPRequestPart
  typealias OutboundIn = HTTPResponsePart
  typealias OutboundOut = HTTPResponsePart

  private enum State {
    case awaitingHead, readingBody, answering
  }

  /// What a deadline does when it passes.
  private enum Expiry {
    /// No request head in time: close without an answer (the connection may have sent nothing).
    case close
    /// The body is late: 408, then close.
    case requestTimeout
  }

  private let limits: ConnectionLimits
  private let count: ConnectionCount
  private let requestID: @Sendable () -> String
  private var state = State.awaitingHead
  /// When the current wait ends and what happens then; nil while the server answers.
  private var deadline: (at: NIODeadline, expiry: Expiry)?
  /// One timer per connection, due at or before `deadline`: requests move the deadline, not
  /// the timer, so a kept-alive connection schedules a timer about once per head timeout
  /// instead of twice per request.
  private var timer: (task: Scheduled<Void>, due: NIODeadline)?
  private var overLimit = false

  init(limits: ConnectionLimits, count: ConnectionCount, requestID: @escaping @Sendable () -> String) {
    self.limits = limits
    self.count = count
    self.requestID = requestID
  }

  func handlerAdded(context: ChannelHandlerContext) {
    overLimit = count.enter() > limits.maxConnections
    wait(context, seconds: limits.headTimeout, .close)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    timer?.task.cancel()
    count.leave()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head:
      if overLimit {
        deadline = nil
        answer(context, Problem.tooManyConnections(limit: limits.maxConnections))
        return
      }
      state = .readingBody
      wait(context, seconds: limits.bodyTimeout, .requestTimeout)
    case .end:
      if overLimit { return }
      state = .answering
      deadline = nil
    case .body:
      if overLimit { return }
    }
    context.fireChannelRead(data)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    if case .end = unwrapOutboundIn(data) {
      // The answer is complete: the next request's head has its own deadline. (An answer sent
      // before the body ended, such as a 413, leaves the rest to the server.)
      deadline = nil
      if state == .answering {
        state = .awaitingHead
        wait(context, seconds: limits.headTimeout, .close)
      }
    }
    context.write(data, promise: promise)
  }

  /// Starts a wait of `seconds`; the timer is moved only when it would fire too late.
  private func wait(_ context: ChannelHandlerContext, seconds: Int64, _ expiry: Expiry) {
    let at = NIODeadline.now() + .seconds(seconds)
    deadline = (at, expiry)
    if let timer, timer.due <= at { return }
    schedule(context, at: at)
  }

  private func schedule(_ context: ChannelHandlerContext, at due: NIODeadline) {
    timer?.task.cancel()
    let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
    let task = context.eventLoop.scheduleTask(deadline: due) {
      let (handler, context) = bound.value
      handler.timer = nil
      handler.timerFired(context)
    }
    timer = (task, due)
  }

  /// The timer is due: the wait is over if its deadline passed, else the timer follows the deadline.
  private func timerFired(_ context: ChannelHandlerContext) {
    guard let deadline else { return }
    guard deadline.at <= .now() else { return schedule(context, at: deadline.at) }
    self.deadline = nil
    switch deadline.expiry {
    case .close: context.close(promise: nil)
    case .requestTimeout: answer(context, Problem.requestTimeout(seconds: limits.bodyTimeout))
    }
  }

  /// Writes `problem` as the answer (with a request id and `Connection: close`), then closes.
  private func answer(_ context: ChannelHandlerContext, _ problem: Problem) {
    let id = requestID()
    var problem = problem
    problem.requestId = id
    let body = Array(problem.json.serialized.utf8) + [0x0A]
    var fields = HTTPFields()
    fields[.contentType] = "application/problem+json"
    fields[.contentLength] = String(body.count)
    fields[.connection] = "close"
    fields[HTTPField.Name("X-Request-Id")!] = id
    let head = HTTPResponse(
      status: .init(code: problem.status, reasonPhrase: HTTPStatus.reason(problem.status)), headerFields: fields)
    context.write(wrapOutboundOut(.head(head)), promise: nil)
    context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
    context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
  }
}
