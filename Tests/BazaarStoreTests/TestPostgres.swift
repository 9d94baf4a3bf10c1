import BazaarSQL
import Foundation
import Synchronization
import Testing

@testable import BazaarPostgres

/// The PostgreSQL server the store tests run against: `BAZAAR_TEST_POSTGRES_URL` when set
/// (`make test` starts one cluster for the whole run), else a throw-away cluster this process
/// starts with `scripts/pg-cluster.sh` and stops when it exits.
enum TestPostgres {
  /// The server's URL, starting a cluster on first use when none is given.
  static var url: String {
    get throws {
      try server.withLock { server in
        if let url = server { return url }
        let url = try ProcessInfo.processInfo.environment["BAZAAR_TEST_POSTGRES_URL"] ?? startCluster()
        server = url
        return url
      }
    }
  }

  private static let server = Mutex<String?>(nil)
  nonisolated(unsafe) private static var clusterDirectory: String?

  /// The repository's root (this file is Tests/BazaarStoreTests/TestPostgres.swift).
  private static var root: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
  }

  private static func startCluster() throws -> String {
    // A directory the cluster's unprivileged owner can reach (pg-cluster.sh chowns it).
    var template = Array("/tmp/bazaar-pg-test-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw ClusterError(reason: "mkdtemp failed") }
    let directory = String(cString: made) + "/cluster"
    chmod(String(cString: made), 0o755)
    let output = try run([root + "/scripts/pg-cluster.sh", "start", directory])
    clusterDirectory = directory
    atexit {
      if let directory = TestPostgres.clusterDirectory {
        _ = try? TestPostgres.run([TestPostgres.root + "/scripts/pg-cluster.sh", "stop", directory])
        rmdir((directory as NSString).deletingLastPathComponent)
      }
    }
    return output.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Runs a command (no shell: each argument is quoted) and returns its standard output.
  @discardableResult
  static func run(_ arguments: [String]) throws -> String {
    // popen, not Foundation's Process: its waitUntilExit can hang while test threads are busy.
    let command = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    guard let pipe = popen(command, "r") else { throw ClusterError(reason: "cannot start \(arguments[0])") }
    var output = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = fread(&buffer, 1, buffer.count, pipe)
      if count == 0 { break }
      output += buffer[..<count]
    }
    let status = pclose(pipe)
    guard status == 0 else { throw ClusterError(reason: "\(arguments.joined(separator: " ")) failed (\(status))") }
    return String(decoding: output, as: UTF8.self)
  }

  struct ClusterError: Error {
    var reason: String
  }
}

/// An empty schema of its own on the test server, dropped when released: `url` selects it
/// through libpq's `options` (search_path), so each test sees only its own tables.
final class TemporarySchema: Sendable {
  let name: String
  let url: String
  private let serverURL: String

  init() throws {
    serverURL = try TestPostgres.url
    name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    try PostgresConnection(url: serverURL).execute("CREATE SCHEMA \(name)")
    url = serverURL + "?options=-csearch_path%3D\(name)"
  }

  /// A store on this schema (migrated on first use).
  func store(
    _ connections: PostgresStore.Connections = .pool(4), busyTimeout: Double = 5,
    interceptor: (any SQLInterceptor)? = nil
  ) throws -> PostgresStore {
    try PostgresStore(url: url, connections: connections, busyTimeout: busyTimeout, interceptor: interceptor)
  }

  /// Runs `sql` on a connection of its own, outside any store.
  func execute(_ sql: String) throws {
    try PostgresConnection(url: url).execute(sql)
  }

  deinit { try? PostgresConnection(url: serverURL).execute("DROP SCHEMA \(name) CASCADE") }
}
