package import BazaarFunctions
package import Logging

/// Runs one function the shell way: JSON on standard input, JSON on standard output, a
/// JSON log line on standard error, and the contract's exit code.
package struct ShellRunner: Sendable {
  package var invoker: FunctionInvoker

  package init(invoker: FunctionInvoker) {
    self.invoker = invoker
  }

  /// Invokes `name` with the input read from `inputDescriptor`; returns the exit code.
  /// An unknown name prints a 404 problem and exits 64 (a usage error).
  package func run(
    name: String, token: String?, requestID: String, client: String? = nil, inputDescriptor: Int32 = 0,
    outputDescriptor: Int32 = 1, services: () throws -> Services, logger: Logger
  ) -> Int32 {
    let started = ContinuousClock.now
    let report: (any Error) -> Void = { error in
      logger.error(
        "internal error",
        metadata: ["requestId": "\(requestID)", "function": "\(name)", "error": "\(String(reflecting: error))"])
    }
    var response: FunctionResponse
    var exitCode: Int32
    if let function = FunctionCatalog.named(name) {
      let limit = invoker.inputLimit(of: function)
      switch readBounded(inputDescriptor, limit: limit) {
      case .complete(let body):
        response = invoker.invoke(
          function, body: body, token: token, requestID: requestID, client: client, services: services,
          reportInternal: report)
      case .tooLarge:
        response = invoker.failure(
          Problem.payloadTooLarge(limit: limit), requestID: requestID, reportInternal: report)
      case .unreadable(let errno):
        response = invoker.failure(
          Problem.malformedJSON("standard input could not be read (errno \(errno))"), requestID: requestID,
          reportInternal: report)
      }
      exitCode = response.exitCode
    } else {
      response = invoker.failure(Problem.unknownFunction(name), requestID: requestID, reportInternal: report)
      exitCode = SysExits.usage
    }
    response.jsonBody.withUnsafeBytes { writeAll(outputDescriptor, $0) }
    let elapsed = ContinuousClock.now - started
    var metadata: Logger.Metadata = [
      "requestId": "\(requestID)", "function": "\(name)", "status": .stringConvertible(response.status),
      "exitCode": .stringConvertible(Int(exitCode)),
      "durationMs": .stringConvertible(elapsed.milliseconds),
    ]
    if let code = response.problemCode { metadata["problem"] = "\(code)" }
    logger.info("invoked", metadata: metadata)
    return exitCode
  }
}

extension Duration {
  /// The duration in milliseconds, to microsecond precision.
  package var milliseconds: Double {
    (Double(components.seconds) * 1000 + Double(components.attoseconds / 1_000_000_000_000) / 1000)
  }
}
