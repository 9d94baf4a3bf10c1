import BazaarCore
import BazaarTesting
import Testing

/// Failed sign-ins: per (account, address) with a doubling hold-off, and per account from everywhere.
@Suite struct LoginThrottleTests {
  let store = TestStore()
  let clock = TestClock()
  var throttle: LoginThrottle {
    var policy = LoginThrottle.Policy()
    policy.perAccount = 25
    return LoginThrottle(store: store, clock: clock, policy: policy)
  }

  func heldFor(_ account: String, from client: String) -> Int64? {
    do {
      try throttle.check(account, from: client)
      return nil
    } catch AccountError.tooManyAttempts(let seconds) {
      return seconds
    } catch {
      Issue.record("unexpected \(error)")
      return nil
    }
  }

  @Test func theEleventhAttemptFromOneAddressWaitsAndTheWaitDoubles() throws {
    for _ in 0..<9 { try throttle.failed("user:kim@example.com", from: "10.0.0.1") }
    #expect(heldFor("user:kim@example.com", from: "10.0.0.1") == nil, "ten attempts are allowed")
    try throttle.failed("user:kim@example.com", from: "10.0.0.1")
    #expect(heldFor("user:kim@example.com", from: "10.0.0.1") == 60)
    #expect(heldFor("user:kim@example.com", from: "10.0.0.2") == nil, "another address is not held off")
    #expect(heldFor("user:lee@example.com", from: "10.0.0.1") == nil, "nor another account")
    clock.advance(seconds: 59)
    #expect(heldFor("user:kim@example.com", from: "10.0.0.1") == 1)
    clock.advance(seconds: 1)
    #expect(heldFor("user:kim@example.com", from: "10.0.0.1") == nil)
    for _ in 0..<10 { try throttle.failed("user:kim@example.com", from: "10.0.0.1") }
    #expect(heldFor("user:kim@example.com", from: "10.0.0.1") == 120, "the second hold-off doubles")
  }

  @Test func failuresSpreadOverAMinuteDoNotAddUp() throws {
    for _ in 0..<20 {  // 20 over 140 s: never 10 within a minute, and under the account's 25
      try throttle.failed("user:kim@example.com", from: "10.0.0.1")
      clock.advance(seconds: 7)
    }
    #expect(heldFor("user:kim@example.com", from: "10.0.0.1") == nil)
  }

  @Test func aSuccessClearsTheAddressButNotTheAccountCount() throws {
    for _ in 0..<9 { try throttle.failed("user:kim@example.com", from: "10.0.0.1") }
    try store.write { try throttle.succeeded("user:kim@example.com", from: "10.0.0.1", in: $0) }
    try throttle.failed("user:kim@example.com", from: "10.0.0.1")
    #expect(heldFor("user:kim@example.com", from: "10.0.0.1") == nil)
    let remaining = try store.read {
      try $0.loginFailures.failures(account: "user:kim@example.com", client: "*")?.failures
    }
    #expect(remaining == 10)
  }

  @Test func manyAddressesMeetTheAccountCap() throws {
    for index in 0..<25 { try throttle.failed("user:kim@example.com", from: "10.0.1.\(index)") }
    #expect(heldFor("user:kim@example.com", from: "10.9.9.9") == 900, "a new address is held off too")
    #expect(heldFor("user:lee@example.com", from: "10.9.9.9") == nil)
  }
}
