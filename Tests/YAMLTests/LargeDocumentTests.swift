import Testing
import YAML

/// Large documents parse whole and round-trip. Speed is measured in Benchmarks/, not here.
@Suite struct LargeDocumentTests {
  @Test func twentyThousandEntriesRoundTrip() throws {
    let items = (0..<20_000).map { "  - name: item\($0)\n    role: r\($0)\n" }.joined()
    let wide = (0..<20_000).map { "k\($0): \($0)\n" }.joined()
    let list = try YAML.parse("list:\n" + items)
    #expect(list["list"]?.sequence?.count == 20_000)
    let map = try YAML.parse(wide)
    #expect(map.mapping?.count == 20_000)
    #expect(try YAML.parse(YAML.emit(list)) == list)
  }
}
