internal import ArgumentParser
internal import BazaarFunctions
internal import BazaarLive
internal import BazaarRunners
internal import BazaarStore
internal import Foundation

/// `bazaar-bench handler`: the in-process path below HTTP, for profiling: one request routed and
/// answered by the gateway over a home's live services (a pool, as `bazaar serve` opens), in a
/// loop on one thread. Prints microseconds per request (median of rounds).
struct HandlerBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "handler", abstract: "Microseconds per gateway request, in-process, without HTTP (for profiling).")

  @Option(help: "The request's path (and query).") var path: String
  @Option(help: "A bearer token.") var token: String?
  @Option(help: "Requests per round.") var requests = 20_000
  @Option(help: "Rounds.") var rounds = 5
  @Option(help: "Threads running requests at once (each runs --requests per round).") var threads = 1

  func run() throws {
    let live = try LiveServices.wire(try Configuration(), connections: .pool)
    defer { live.close() }
    let gateway = Gateway(invoker: FunctionInvoker())
    let parts = path.split(separator: "?", maxSplits: 1).map(String.init)
    let request = GatewayRequest(
      method: "GET", path: parts[0], query: parts.count > 1 ? parts[1] : "",
      authorization: token.map { "Bearer " + $0 }, requestID: "req_bench")
    let services = live.services
    let expected = gateway.handle(request, services: { services }, reportInternal: { _ in }).status
    var perRequest: [Double] = []
    for _ in 0..<rounds {
      let started = DispatchTime.now().uptimeNanoseconds
      DispatchQueue.concurrentPerform(iterations: threads) { _ in
        for _ in 0..<requests {
          let response = gateway.handle(request, services: { services }, reportInternal: { _ in })
          precondition(
            response.status == expected, "\(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
      }
      // Wall time per request on each thread.
      perRequest.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1000 / Double(requests))
    }
    print(
      String(
        format: "%@: %.2f µs per request (median of %d rounds of %d, %d threads)", path,
        perRequest.sorted()[rounds / 2], rounds, requests, threads))
  }
}
