import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// postgres://user:password@host:port/database: connect, read one row, print it, close.
func probe(_ address: String) async throws {
  guard let url = URLComponents(string: address), let host = url.host, let port = url.port, let user = url.user
  else { exit(64) }
  let configuration = PostgresConnection.Configuration(
    host: host, port: port, username: user, password: url.password, database: String(url.path.dropFirst()),
    tls: .disable)
  let logger = Logger(label: "probe")
  let connection = try await PostgresConnection.connect(
    on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger)
  let rows: PostgresRowSequence = try await connection.query("SELECT count(*) FROM pg_class", logger: logger)
  for try await count in rows.decode(Int.self) { print("{\"classes\":\(count)}") }
  try await connection.close()
}

guard CommandLine.arguments.count == 2 else { exit(64) }
try await probe(CommandLine.arguments[1])
