internal import ArgumentParser
internal import BazaarCore
internal import BazaarFunctions
internal import BazaarJSON
internal import BazaarLive
internal import BazaarOperations
internal import BazaarPostgres
internal import BazaarScheduler
internal import BazaarServer
internal import BazaarStore
internal import QueuePort
internal import Spool

/// `bazaar outbox relay|stats`: the transactional outbox's relay into the spool.
struct OutboxCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "outbox", abstract: "Relay committed events into the spool; show what waits.",
    subcommands: [Relay.self, Stats.self])

  struct Relay: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Publish events not yet relayed to the queues docs/events.md names, then mark them (at least once).",
      discussion: """
        Without --once it keeps relaying until SIGTERM or SIGINT, checking every --interval \
        seconds when idle. A relay killed between publishing and marking publishes that batch \
        again once its --lease passes: consumers deduplicate by event id.
        """)

    @Flag(help: "Relay what is pending, then exit (for cron).") var once = false
    @Option(help: "Seconds a claimed batch is held before another relay may take it.") var lease: Double = 30
    @Option(help: "Seconds between checks when idle (without --once).") var interval: Double = 1
    @Option(help: "Spool root (default: $BAZAAR_HOME/queues).") var spool: String?

    func run() throws {
      let leaseMilliseconds = try milliseconds(lease, option: "--lease") ?? 30_000
      let intervalMilliseconds = max(10, try milliseconds(interval, option: "--interval") ?? 1000)
      StopSignal.install()
      try respondWithShop { live in
        let relay = OutboxRelay(
          store: live.store, queue: MessageEventQueue(try adapters.shopQueues(Configuration(), spoolRoot: spool)),
          clock: SystemClock(), leaseMilliseconds: leaseMilliseconds)
        return try ShopOperations.relay(
          relay, follow: !once, intervalMilliseconds: intervalMilliseconds, shouldStop: StopSignal.requested)
      }
    }
  }

  struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Count events waiting to be relayed, the oldest one's age, and those relayed.")

    func run() throws {
      try respondWithShop { try ShopOperations.outboxStats($0.store, clock: SystemClock()) }
    }
  }
}

/// `bazaar orders expire`: expires unpaid orders past their `expiresAt` (safe from cron).
struct OrdersCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "orders", abstract: "Order maintenance.", subcommands: [Expire.self])

  struct Expire: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Expire every unpaid order past its expiresAt: release its stock, emit order.expired.")

    func run() throws {
      try respondWithShop { try ShopOperations.expireOrders($0.services.orders) }
    }
  }
}

/// Wires the live shop and runs `body` on it, printing its answer, or the problem object of any
/// failure (a wrong setting, a busy store while opening it included), and exiting with its code.
func respondWithShop(_ body: (LiveServices) throws -> QueueAnswer) throws {
  var live: LiveServices?
  defer { live?.close() }
  let code = QueueAnswer.respond {
    live = try LiveServices.wire(try Configuration(), adapters: adapters)
    return try body(live!)
  }
  if code != 0 { throw ExitCode(code) }
}

/// `bazaar payments reconcile`: settles payments whose gateway call's answer was lost.
struct PaymentsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "payments", abstract: "Payment maintenance.", subcommands: [Reconcile.self])

  struct Reconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Settle payments left approving or refunding (a timeout, a crash) through KakaoPay's lookup.",
      discussion: """
        A payment counts as lost once its call is older than KAKAOPAY_TIMEOUT plus 2 seconds. \
        Without --once it keeps reconciling every --interval seconds until SIGTERM or SIGINT.
        """)

    @Flag(help: "Reconcile once, then exit (for cron).") var once = false
    @Option(help: "Seconds between passes (without --once).") var interval: Double = 30

    func run() throws {
      let intervalMilliseconds = max(100, try milliseconds(interval, option: "--interval") ?? 30_000)
      StopSignal.install()
      try respondWithShop { live in
        try ShopOperations.reconcilePayments(
          live.services.payments, follow: !once, intervalMilliseconds: intervalMilliseconds,
          shouldStop: StopSignal.requested)
      }
    }
  }
}

/// `bazaar scheduler`: what the shop does after its requests answered, continuously or once.
struct SchedulerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scheduler",
    abstract: "Relay the outbox, request and dispatch shipments, expire orders, reconcile payments.",
    discussion: """
      Without --once it runs until SIGTERM or SIGINT (finishing the event in hand), waking when a \
      queue gains a message or the database is written, and sweeping every --interval seconds \
      otherwise. --once runs one full pass and exits (for cron: safe beside other passes and a \
      running scheduler, since every consumer is idempotent); its answer counts what it did.
      """)

  @Flag(help: "Run one full pass, then exit.") var once = false
  @Option(help: "Seconds a claimed event is held before another scheduler may take it.") var lease: Double = 30
  @Option(help: "Seconds between sweeps when nothing wakes the scheduler (without --once).") var interval: Double = 5
  @Option(help: "Spool root (default: $BAZAAR_HOME/queues).") var spool: String?

  func run() async throws {
    let leaseMilliseconds = max(100, try milliseconds(lease, option: "--lease") ?? 30_000)
    let intervalMilliseconds = max(50, try milliseconds(interval, option: "--interval") ?? 5_000)
    if once {
      StopSignal.install()
      try respondWithShop { live in
        let pass = try ShopScheduler.pass(live, spoolRoot: spool, leaseMilliseconds: leaseMilliseconds)
        let (report, _) = try ShopScheduler.log(try Configuration()).run(pass, shouldStop: StopSignal.requested)
        return ShopOperations.schedulerReport(report)
      }
      return
    }
    let configuration = try Configuration()
    let live = try LiveServices.wire(configuration, connections: .pool, adapters: adapters)
    defer { live.close() }
    let loop = try ShopScheduler.loop(
      live, configuration: configuration, spoolRoot: spool, leaseMilliseconds: leaseMilliseconds,
      sweepMilliseconds: Int(intervalMilliseconds))
    let logger = Logs.logger(label: "bazaar.scheduler")
    try await ServiceRunner.run([SchedulerService(loop: loop, logger: logger)], logger: logger)
  }
}

/// The scheduler over the live shop, as `bazaar scheduler` and `bazaar up` run it.
enum ShopScheduler {
  /// The pass over the queues `Adapters.shopQueues` names: the spool at `spoolRoot`, else
  /// PostgreSQL's with `BAZAAR_QUEUE_URL`, else the spool under `$BAZAAR_HOME/queues`.
  static func pass(_ live: LiveServices, spoolRoot: String?, leaseMilliseconds: Int64) throws -> SchedulerPass {
    pass(
      live, queues: try adapters.shopQueues(Configuration(), spoolRoot: spoolRoot), leaseMilliseconds: leaseMilliseconds
    )
  }

  /// The pass over `queues`, already open.
  static func pass(_ live: LiveServices, queues: any MessageQueues, leaseMilliseconds: Int64) -> SchedulerPass {
    SchedulerPass(
      store: live.store, queue: MessageEventQueue(queues),
      orders: live.services.orders, payments: live.services.payments, shipments: live.services.shipments,
      carrier: live.services.carrier, clock: SystemClock(), leaseMilliseconds: leaseMilliseconds)
  }

  /// The long-running loop, woken by messages arriving (the spool's `new/` directories, or the
  /// PostgreSQL queue's notification) and by commits to the database (SQLite's WAL file
  /// changing, or PostgreSQL's notification).
  static func loop(
    _ live: LiveServices, configuration: Configuration, spoolRoot: String?, leaseMilliseconds: Int64,
    sweepMilliseconds: Int
  ) throws -> SchedulerLoop {
    let queues = try adapters.shopQueues(Configuration(), spoolRoot: spoolRoot)
    var watched: [WakeWatcher.Watch] = []
    if live.sqlite != nil {
      // The WAL is where a commit shows; the pass log beside it must not wake the next pass.
      let databaseName = configuration.databasePath.split(separator: "/").last.map(String.init) ?? "bazaar.sqlite"
      watched.append(WakeWatcher.Watch(directory: configuration.stateDirectory, fileName: databaseName + "-wal"))
    }
    for name in SchedulerPass.consumedQueues { _ = try queues.queue(name) }
    let wakeUp = queues.wakeUp(for: SchedulerPass.consumedQueues)
    if case .newFiles(let directories) = wakeUp { watched += directories.map { WakeWatcher.Watch(directory: $0) } }
    let loop = SchedulerLoop(
      pass: pass(live, queues: queues, leaseMilliseconds: leaseMilliseconds), watching: watched,
      sweepMilliseconds: sweepMilliseconds, log: log(configuration))
    if case .server(let store) = live.backend { try loop.wake { try store.watchOutbox($0).stop } }
    if case .notification(let subscribe) = wakeUp { try loop.wake { try subscribe($0).stop } }
    return loop
  }

  /// Where passes record themselves for `bazaar status`.
  static func log(_ configuration: Configuration) -> SchedulerPassLog {
    SchedulerPassLog(path: configuration.stateDirectory + "/scheduler-last-pass.json")
  }
}

/// `bazaar status`: the shop at a glance, for an operator.
struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract:
      "Queue depths and dead letters, the outbox backlog, orders, shipments and payments, the scheduler's last pass.")

  @Flag(help: "Print the status as one JSON object.") var json = false
  @Option(help: "Spool root (default: $BAZAAR_HOME/queues).") var spool: String?

  func run() throws {
    try respondWithShop { live in
      let status = try ShopOperations.status(
        store: live.store, queues: try adapters.shopQueues(Configuration(), spoolRoot: spool),
        lastPass: ShopScheduler.log(try Configuration()).last(), clock: SystemClock())
      return json ? QueueAnswer(status) : .text(ShopOperations.statusText(status))
    }
  }
}

/// `bazaar shipments ship|deliver`: an operator moves a shipment from the shop's own shell (never
/// over HTTP), for a seller who cannot.
struct ShipmentsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shipments", abstract: "Operator actions on shipments (shell only).",
    subcommands: [Ship.self, Deliver.self])

  struct Ship: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Send a ready shipment: --carrier and --tracking-number, or neither for the built-in carrier.")

    @Argument(help: "The shipment id (shp_…).") var shipment: String
    @Option(help: "The carrier's name.") var carrier: String?
    @Option(help: "The tracking number.") var trackingNumber: String?

    func run() throws {
      try respondWithShop { live in
        guard let id = ShipmentID(checking: shipment) else { throw ShipmentError.shipmentNotFound }
        let booking = try ShipmentFunctions.booking(carrier: carrier, trackingNumber: trackingNumber)
        let sent = try live.services.shipments.dispatch(
          id, by: .operator, booking: booking, carrier: live.services.carrier)
        return QueueAnswer(ShipmentView(shipment: sent).json)
      }
    }
  }

  struct Deliver: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Mark a started shipment delivered.")

    @Argument(help: "The shipment id (shp_…).") var shipment: String

    func run() throws {
      try respondWithShop { live in
        guard let id = ShipmentID(checking: shipment) else { throw ShipmentError.shipmentNotFound }
        return QueueAnswer(ShipmentView(shipment: try live.services.shipments.deliver(id, by: .operator)).json)
      }
    }
  }
}

/// `bazaar operator token`: the only way to mint the operator page's token. Being on loopback
/// is no credential (a proxy on the same machine is loopback too); holding the shell is.
struct OperatorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "operator", abstract: "The operator page's access (shell only).", subcommands: [Token.self])

  struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Mint an operator token for the operator page (/operator) and GET /operator/status.",
      discussion: """
        Prints {"token", "tokenType", "expiresAt"}. The token is signed with the shop's JWT \
        secret and says role "operator"; no function accepts it, and no HTTP route mints one. \
        It is not recorded, so it cannot be revoked one by one: keep --ttl short, or rotate \
        the JWT secret to end every token at once.
        """)

    @Option(help: "Seconds the token stays valid (60 to 86400).") var ttl: Int64 = 3600

    func validate() throws {
      guard (60...86_400).contains(ttl) else { throw ValidationError("--ttl must be 60 to 86400") }
    }

    func run() throws {
      try respondWithShop { live in
        var issuer = live.services.accounts.issuer
        issuer.lifetime = ttl
        let issued = try issuer.issue(subject: "operator", role: .operator)
        return QueueAnswer([
          "token": .string(issued.token), "tokenType": "Bearer", "expiresAt": .string(issued.claims.expiresAt.rfc3339),
        ])
      }
    }
  }
}

/// `bazaar accounts block|unblock ID`: an operator stops (or restores) a user or a seller from
/// the shell (never over HTTP).
struct AccountsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "accounts", abstract: "Operator actions on accounts (shell only).",
    subcommands: [Block.self, Unblock.self])

  struct Block: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Block a user (usr_…) or seller (sel_…): sign-ins fail with account_blocked, every token is revoked.")

    @Argument(help: "The account's id.") var id: String

    func run() throws { try setBlocked(id, true) }
  }

  struct Unblock: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Unblock a blocked user or seller: it may sign in again (its old tokens stay revoked).")

    @Argument(help: "The account's id.") var id: String

    func run() throws { try setBlocked(id, false) }
  }
}

/// Blocks or unblocks `id`, answering the account as its functions show it.
private func setBlocked(_ id: String, _ blocked: Bool) throws {
  try respondWithShop { live in
    if id.hasPrefix(SellerID.prefix) {
      return QueueAnswer(SellerView(try live.services.sellers.setBlocked(id, blocked)).json)
    }
    return QueueAnswer(UserView(try live.services.accounts.setBlocked(id, blocked)).json)
  }
}
