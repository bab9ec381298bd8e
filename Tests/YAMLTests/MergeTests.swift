import Testing
import YAML

@Suite struct MergeTests {
  private func merge(
    _ base: Node?, _ ours: Node, _ theirs: Node, options: MergeOptions = MergeOptions()
  ) -> MergeResult {
    YAMLMerge.merge(base: base, ours: ours, theirs: theirs, options: options)
  }

  @Test func scalarsChangedOnOneSideEach() {
    let result = merge(
      ["a": 1, "b": 1, "c": 1], ["a": 2, "b": 1, "c": 1], ["a": 1, "b": 3, "c": 1])
    #expect(result.isClean)
    #expect(result.merged == ["a": 2, "b": 3, "c": 1])
  }

  @Test func scalarChangedTheSameOnBothSides() {
    let result = merge(["a": 1], ["a": 2], ["a": 2])
    #expect(result.isClean)
    #expect(result.merged == ["a": 2])
  }

  @Test func scalarChangedDifferentlyIsAConflictKeepingOurs() {
    let result = merge(
      ["gate_stage": 1, "x": 0], ["gate_stage": 2, "x": 0], ["gate_stage": 3, "x": 1])
    #expect(result.conflicts == [MergeConflict(path: "gate_stage", base: 1, ours: 2, theirs: 3)])
    #expect(!result.isClean)
    #expect(result.merged == ["gate_stage": 2, "x": 1])
    #expect(result.conflicts[0].description == "gate_stage: base 1, ours 2, theirs 3")
  }

  @Test func keyAddedOnBothSides() {
    let same = merge(["a": 1], ["a": 1, "k": "v"], ["a": 1, "k": "v"])
    #expect(same.isClean)
    #expect(same.merged == ["a": 1, "k": "v"])

    let different = merge(["a": 1], ["a": 1, "k": "ours"], ["a": 1, "k": "theirs"])
    #expect(
      different.conflicts == [MergeConflict(path: "k", base: nil, ours: "ours", theirs: "theirs")])
    #expect(different.merged == ["a": 1, "k": "ours"])
  }

  @Test func keyOrderIsOursThenTheirsAdditions() {
    let result = merge(
      ["a": 1, "b": 2], ["b": 2, "a": 1, "o": 0], ["t2": 0, "a": 1, "b": 2, "t1": 0])
    #expect(result.merged.mapping?.keys == ["b", "a", "o", "t2", "t1"])
  }

  @Test func keyDeletedOnOneSide() {
    let unchanged = merge(["a": 1, "b": 2], ["a": 1], ["a": 1, "b": 2, "c": 3])
    #expect(unchanged.isClean)
    #expect(unchanged.merged == ["a": 1, "c": 3])

    let theyChanged = merge(["a": 1, "b": 2], ["a": 1], ["a": 1, "b": 5])
    #expect(theyChanged.conflicts == [MergeConflict(path: "b", base: 2, ours: nil, theirs: 5)])
    #expect(theyChanged.merged == ["a": 1])
    #expect(theyChanged.conflicts[0].description == "b: base 2, ours (absent), theirs 5")

    let weChanged = merge(["a": 1, "b": 2], ["a": 1, "b": 5], ["a": 1])
    #expect(weChanged.conflicts == [MergeConflict(path: "b", base: 2, ours: 5, theirs: nil)])
    #expect(weChanged.merged == ["a": 1, "b": 5])

    let bothDeleted = merge(["a": 1, "b": 2], ["a": 1], ["a": 1])
    #expect(bothDeleted.isClean)
    #expect(bothDeleted.merged == ["a": 1])
  }

  @Test func nestedMappings() {
    let base: Node = [
      "profile": ["title": "t", "owner": "o", "budget": ["amount": 1, "currency": "GBP"]]
    ]
    let ours: Node = [
      "profile": ["title": "T", "owner": "o", "budget": ["amount": 2, "currency": "GBP"]]
    ]
    let theirs: Node = [
      "profile": [
        "title": "t", "owner": "x", "budget": ["amount": 3, "currency": "EUR"], "new": true,
      ]
    ]
    let result = merge(base, ours, theirs)
    #expect(
      result.conflicts == [
        MergeConflict(path: "profile.budget.amount", base: 1, ours: 2, theirs: 3)
      ])
    #expect(
      result.merged == [
        "profile": [
          "title": "T", "owner": "x", "budget": ["amount": 2, "currency": "EUR"], "new": true,
        ]
      ])
  }

  @Test func stakeholdersAddedOnBothSidesAreBothKept() {
    let base: Node = ["stakeholders": [["name": "Finance", "role": "approver"]]]
    let ours: Node = [
      "stakeholders": [
        ["name": "Finance", "role": "approver"], ["name": "Estates", "role": "owner"],
      ]
    ]
    let theirs: Node = [
      "stakeholders": [
        ["name": "Legal", "role": "advisor"], ["name": "Finance", "role": "approver"],
        ["name": "Audit", "role": "observer"],
      ]
    ]
    let result = merge(base, ours, theirs)
    #expect(result.isClean)
    #expect(
      result.merged["stakeholders"]?.sequence?.compactMap { $0["name"]?.string } == [
        "Legal", "Finance", "Estates", "Audit",
      ])
    // Stable: merging again with the result on our side changes nothing.
    #expect(merge(base, result.merged, theirs).merged == result.merged)
  }

  @Test func sameStakeholderChangedDifferentlyConflictsAtItsPath() {
    let base: Node = [
      "stakeholders": [
        ["name": "Finance", "role": "approver"], ["name": "Legal", "role": "advisor"],
      ]
    ]
    let ours: Node = [
      "stakeholders": [
        ["name": "Finance", "role": "owner"], ["name": "Legal", "role": "advisor"],
      ]
    ]
    let theirs: Node = [
      "stakeholders": [
        ["name": "Finance", "role": "observer"], ["name": "Legal", "role": "lead"],
      ]
    ]
    let result = merge(base, ours, theirs)
    #expect(
      result.conflicts == [
        MergeConflict(
          path: "stakeholders[name=Finance].role", base: "approver", ours: "owner",
          theirs: "observer")
      ])
    #expect(
      result.merged == [
        "stakeholders": [["name": "Finance", "role": "owner"], ["name": "Legal", "role": "lead"]]
      ])
  }

  @Test func identityItemsByIDAndDeletion() {
    let base: Node = [["id": 1, "v": "a"], ["id": 2, "v": "b"], ["id": 3, "v": "c"]]
    let ours: Node = [["id": 1, "v": "a"], ["id": 3, "v": "C"]]  // deleted 2, changed 3
    let theirs: Node = [["id": 1, "v": "a"], ["id": 2, "v": "b"], ["id": 3, "v": "c"]]
    #expect(merge(base, ours, theirs).merged == ours)

    let theirsChanged2: Node = [["id": 1, "v": "a"], ["id": 2, "v": "B"], ["id": 3, "v": "c"]]
    let result = merge(base, ours, theirsChanged2)
    #expect(
      result.conflicts == [
        MergeConflict(
          path: "[id=2]", base: ["id": 2, "v": "b"], ours: nil, theirs: ["id": 2, "v": "B"])
      ])
    #expect(result.merged == ours)
  }

  @Test func identityItemsReorderedByTheirsOnly() {
    let base: Node = [["name": "a"], ["name": "b"], ["name": "c"]]
    let ours: Node = [["name": "a", "x": 1], ["name": "b"], ["name": "c"]]
    let theirs: Node = [["name": "c"], ["name": "b"], ["name": "a"]]
    let result = merge(base, ours, theirs)
    #expect(result.isClean)
    #expect(result.merged == [["name": "c"], ["name": "b"], ["name": "a", "x": 1]])
  }

  @Test func scalarListAdditionsOnBothSidesAndARemoval() {
    let result = merge(
      ["key_risks": ["cost", "delay", "scope"]],
      ["key_risks": ["cost", "delay", "scope", "safety"]],
      ["key_risks": ["cost", "scope", "legal", "safety"]])
    #expect(result.isClean)
    // "safety" was added on both sides and appears once; "legal" keeps its place before it in theirs.
    #expect(result.merged == ["key_risks": ["cost", "scope", "legal", "safety"]])
  }

  @Test func scalarListAdditionAtTheFrontAndSameAdditionOnce() {
    let result = merge(["b", "c"], ["a", "b", "c", "x"], ["z", "b", "c", "x"])
    #expect(result.isClean)
    #expect(result.merged == ["a", "z", "b", "c", "x"])
  }

  @Test func scalarListReorderedOnOneSide() {
    let theirsReordered = merge(["a", "b", "c"], ["a", "b", "c", "d"], ["c", "a", "b"])
    #expect(theirsReordered.isClean)
    // "d" was appended after "c" by ours: it stays at the end though theirs moved "c" first.
    #expect(theirsReordered.merged == ["c", "a", "b", "d"])

    let oursReordered = merge(["a", "b", "c"], ["c", "b", "a"], ["a", "b", "c", "d"])
    #expect(oursReordered.merged == ["c", "b", "a", "d"])

    let insertedInside = merge(["a", "b", "c"], ["c", "a", "b"], ["a", "x", "b", "c"])
    #expect(insertedInside.merged == ["c", "a", "x", "b"])

    let bothReordered = merge(["a", "b", "c"], ["b", "a", "c"], ["c", "b", "a"])
    #expect(bothReordered.merged == ["b", "a", "c"])
  }

  @Test func identityKeysOption() {
    let base: Node = ["items": [["key": "x", "v": 1], ["key": "y", "v": 1]]]
    let ours: Node = ["items": [["key": "x", "v": 2], ["key": "y", "v": 1]]]
    let theirs: Node = [
      "items": [["key": "x", "v": 1], ["key": "y", "v": 1], ["key": "z", "v": 1]]
    ]
    // No id or name: the items merge as an ordered set of whole values.
    let plain = merge(base, ours, theirs)
    #expect(plain.isClean)
    #expect(plain.merged == ["items": [["key": "x", "v": 2], ["key": "y", "v": 1], ["key": "z", "v": 1]]])
    // Both sides replacing the same item differently: without identity, the whole list conflicts.
    let theirsToo: Node = ["items": [["key": "x", "v": 3, "w": 1], ["key": "y", "v": 1], ["key": "z", "v": 1]]]
    #expect(merge(base, ours, theirsToo).conflicts.map(\.path) == ["items"])

    var options = MergeOptions()
    options.identityKeys = ["items": ["key"]]
    let keyed = merge(base, ours, theirsToo, options: options)
    #expect(keyed.conflicts.map(\.path) == ["items[key=x].v"])
    #expect(
      keyed.merged == [
        "items": [["key": "x", "v": 2, "w": 1], ["key": "y", "v": 1], ["key": "z", "v": 1]]
      ])
  }

  @Test func identityKeysPatternForNestedSequences() {
    let base: Node = ["sections": [["id": "s1", "owners": [["uid": "u1", "r": "a"]]]]]
    let ours: Node = ["sections": [["id": "s1", "owners": [["uid": "u1", "r": "b"]]]]]
    let theirs: Node = [
      "sections": [["id": "s1", "owners": [["uid": "u1", "r": "c"], ["uid": "u2", "r": "a"]]]]
    ]
    let options = MergeOptions(identityKeys: ["sections[].owners": ["uid"]])
    let result = merge(base, ours, theirs, options: options)
    #expect(result.conflicts.map(\.path) == ["sections[id=s1].owners[uid=u1].r"])
    #expect(
      result.merged == [
        "sections": [["id": "s1", "owners": [["uid": "u1", "r": "b"], ["uid": "u2", "r": "a"]]]]
      ])
  }

  @Test func positionalMergeForSameLengthSequences() {
    let result = merge([["a": 1], ["a": 1]], [["a": 2], ["a": 1]], [["a": 3], ["a": 4]])
    #expect(result.conflicts.map(\.path) == ["[0].a"])
    #expect(result.merged == [["a": 2], ["a": 4]])
  }

  @Test func multiLineStringsUseMergeText() {
    let base: Node = ["rationale": "one\ntwo\nthree\n"]
    let ours: Node = ["rationale": "ONE\ntwo\nthree\n"]
    let theirs: Node = ["rationale": "one\ntwo\nTHREE\n"]

    #expect(merge(base, ours, theirs).conflicts.map(\.path) == ["rationale"])

    var options = MergeOptions()
    options.mergeText = { base, ours, theirs in
      // A toy line merge: take each line from whichever side changed it.
      let b = base.split(separator: "\n", omittingEmptySubsequences: false)
      let o = ours.split(separator: "\n", omittingEmptySubsequences: false)
      let t = theirs.split(separator: "\n", omittingEmptySubsequences: false)
      guard b.count == o.count, o.count == t.count else { return nil }
      var lines: [Substring] = []
      for i in b.indices {
        if o[i] == t[i] || b[i] == t[i] {
          lines.append(o[i])
        } else if b[i] == o[i] {
          lines.append(t[i])
        } else {
          return nil
        }
      }
      return lines.joined(separator: "\n")
    }
    let merged = merge(base, ours, theirs, options: options)
    #expect(merged.isClean)
    #expect(merged.merged == ["rationale": "ONE\ntwo\nTHREE\n"])

    let clash = merge(
      base, ["rationale": "uno\ntwo\nthree\n"], ["rationale": "eins\ntwo\nthree\n"],
      options: options)
    #expect(clash.conflicts.map(\.path) == ["rationale"])

    // Single-line strings never go to the hook.
    let single = merge(["s": "a"], ["s": "b"], ["s": "c"], options: options)
    #expect(single.conflicts.map(\.path) == ["s"])
  }

  @Test func baseAbsentIsAddAdd() {
    let clean = merge(nil, ["a": 1, "b": 2], ["a": 1, "c": 3])
    #expect(clean.isClean)
    #expect(clean.merged == ["a": 1, "b": 2, "c": 3])

    let conflicting = merge(nil, ["a": 1, "l": ["x"]], ["a": 2, "l": ["y"]])
    #expect(conflicting.conflicts == [MergeConflict(path: "a", base: nil, ours: 1, theirs: 2)])
    #expect(conflicting.merged == ["a": 1, "l": ["x", "y"]])

    #expect(
      merge(nil, "x", "y").conflicts == [MergeConflict(path: "", base: nil, ours: "x", theirs: "y")]
    )
  }

  @Test func rootTypeChanged() {
    let base: Node = ["a": 1]
    let oneSide = merge(base, ["a", "b"], ["a": 1])
    #expect(oneSide.isClean)
    #expect(oneSide.merged == ["a", "b"])

    let bothSides = merge(base, ["a", "b"], ["a": 2])
    #expect(
      bothSides.conflicts == [
        MergeConflict(path: "", base: base, ours: ["a", "b"], theirs: ["a": 2])
      ])
    #expect(bothSides.merged == ["a", "b"])
    #expect(
      bothSides.conflicts[0].description == #"(root): base {a: 1}, ours ["a", "b"], theirs {a: 2}"#)
  }

  @Test func pathSegmentsWithSpecialCharactersAreQuoted() {
    let result = merge(
      ["a.b": ["x=y": 1], "list": [["name": "F[1]", "v": 1]]],
      ["a.b": ["x=y": 2], "list": [["name": "F[1]", "v": 2]]],
      ["a.b": ["x=y": 3], "list": [["name": "F[1]", "v": 3]]])
    #expect(result.conflicts.map(\.path) == [#""a.b"."x=y""#, #"list[name="F[1]"].v"#])
  }

  @Test(arguments: [7, 8, 9] as [UInt64])
  func oneSidedChangesMergeCleanly(seed: UInt64) {
    var generator = NodeGenerator(random: SplitMix64(seed: seed))
    for _ in 0..<300 {
      let base = generator.node(depth: 3)
      let changed = generator.node(depth: 3)
      #expect(merge(base, changed, base) == MergeResult(merged: changed, conflicts: []))
      #expect(merge(base, base, changed) == MergeResult(merged: changed, conflicts: []))
      #expect(merge(base, changed, changed) == MergeResult(merged: changed, conflicts: []))
    }
  }
}
