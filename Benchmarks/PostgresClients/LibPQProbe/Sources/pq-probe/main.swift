import CLibPQ

#if canImport(Glibc)
  import Glibc
#endif

// postgres://… from the first argument: connect, read one row, print it, exit.
guard CommandLine.arguments.count == 2, let connection = PQconnectdb(CommandLine.arguments[1]) else { exit(64) }
defer { PQfinish(connection) }
guard PQstatus(connection) == CONNECTION_OK else {
  let message = "pq-probe: " + String(cString: PQerrorMessage(connection))
  _ = message.withCString { write(2, $0, strlen($0)) }
  exit(69)
}
guard let result = PQexec(connection, "SELECT count(*) FROM pg_class"), PQresultStatus(result) == PGRES_TUPLES_OK
else { exit(70) }
print("{\"classes\":\(String(cString: PQgetvalue(result, 0, 0)))}")
PQclear(result)
