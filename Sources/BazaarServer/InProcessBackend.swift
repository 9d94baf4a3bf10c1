package import BazaarFunctions
package import BazaarRunners
package import Logging
package import NIOPosix

#if canImport(Glibc)
  internal import Glibc
#endif

/// Runs functions in the runner's process. Functions that only read (`readsOnly`) run on the
/// request's own task: a WAL read takes microseconds and never waits on a lock, and handing it
/// to another thread and back cost more than the read. Other handlers block (SQLite writes
/// wait on the write lock, scrypt), so they run on a thread pool, never on the event loops or
/// the cooperative pool. Handlers that wait on another service over the network
/// (`waitsOnNetwork`: the payment gateway) run on a pool of their own, so a slow gateway holds
/// those threads only and other writes keep their pool. Handlers that hash passwords
/// (`hashesPassword`) run on a small pool too, behind a bounded queue: a sign-in flood waits
/// there, and past the bound is answered 429 at once.
package struct InProcessBackend: RequestBackend {
  private let gateway: Gateway
  private let services: Services
  private let threads: NIOThreadPool
  private let networkThreads: NIOThreadPool
  private let hashingThreads: NIOThreadPool
  private let hashingQueue: ConcurrencyLimit
  private let logger: Logger

  package init(
    gateway: Gateway, services: Services, threads: NIOThreadPool, networkThreads: NIOThreadPool,
    hashingThreads: NIOThreadPool, hashingQueue: ConcurrencyLimit, logger: Logger
  ) {
    self.gateway = gateway
    self.services = services
    self.threads = threads
    self.networkThreads = networkThreads
    self.hashingThreads = hashingThreads
    self.hashingQueue = hashingQueue
    self.logger = logger
  }

  package func respond(to request: GatewayRequest, remoteAddress: String?) async -> GatewayResponse {
    let (gateway, services, logger) = (gateway, services, logger)
    let match = gateway.routes.match(method: request.method, path: request.path)
    let report: @Sendable (any Error) -> Void = { error in
      logger.error(
        "internal error", metadata: ["requestId": "\(request.requestID)", "error": "\(String(reflecting: error))"])
    }
    var pool = threads
    if case .function(let function, _) = match {
      if function.readsOnly {
        return gateway.handle(request, matched: match, services: { services }, reportInternal: report)
      }
      if function.waitsOnNetwork { pool = networkThreads }
      if function.hashesPassword {
        guard hashingQueue.acquire() else {
          return gateway.failure(Problem.hashingBusy(limit: hashingQueue.limit), for: request)
        }
        pool = hashingThreads
      }
    }
    defer {
      if pool === hashingThreads { hashingQueue.release() }
    }
    let lowerPriority = pool === hashingThreads
    do {
      return try await pool.runIfActive {
        // Password checks yield the CPU to everything else: on a busy machine a read should
        // not wait for a time slice behind scrypt (on Linux, PRIO_PROCESS with who 0 sets the calling thread's nice value only).
        if lowerPriority {
          var parameters = sched_param(sched_priority: 0)
          _ = sched_setscheduler(0, 5, &parameters)  // SCHED_IDLE (linux/sched.h), not exported to Swift
        }
        return gateway.handle(request, matched: match, services: { services }, reportInternal: report)
      }
    } catch {
      // The pool is shutting down: the runner is stopping.
      return gateway.failure(Problem.shuttingDown, for: request)
    }
  }
}
