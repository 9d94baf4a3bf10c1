import BazaarCore
import Testing

@testable import BazaarCrypto

@Suite struct RandomIDGeneratorTests {
  struct FixedClock: Clock {
    var instant: Timestamp
    func now() -> Timestamp { instant }
  }

  @Test func idsAreTwentySixCrockfordCharactersOrderedByTime() {
    let early = RandomIDGenerator(clock: FixedClock(instant: Timestamp(milliseconds: 1_000))).next()
    let late = RandomIDGenerator(clock: FixedClock(instant: Timestamp(milliseconds: 2_000))).next()
    #expect(early.count == 26)
    #expect(early.allSatisfy { "0123456789abcdefghjkmnpqrstvwxyz".contains($0) })
    #expect(early < late)
  }

  @Test func encodingMatchesTheULIDLayout() {
    // The ULID spec's example time 1469918176385 encodes as 01ARYZ6S41 (lower-cased here).
    let id = RandomIDGenerator.encode(milliseconds: 1_469_918_176_385, random: [UInt8](repeating: 0, count: 10))
    #expect(id == "01aryz6s41" + String(repeating: "0", count: 16))
    let ones = RandomIDGenerator.encode(milliseconds: 0, random: [UInt8](repeating: 0xff, count: 10))
    #expect(ones == "0000000000" + String(repeating: "z", count: 16))
  }
}
