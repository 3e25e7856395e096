"""`tapcheck policies new`: a pack file to start from, every part commented."""

SKELETON = """\
# A tapcheck policy pack: name its directory (or this file) in .tapcheck.yml
#   policy-packs: [policies/]
# then `tapcheck policies test policies/` runs each policy on its own snippets.
policies:
  - id: {id}                      # your own prefix and digits (never TAP); unique
    name: {name}                  # kebab-case, shown beside the id
    title: Production databases are Multi-AZ
    severity: error               # error | warning | info
    area: resilience              # any kebab-case name; reports group by it
    what: An RDS DB instance in production without `MultiAZ` true.
    why: A single-AZ database is down for as long as its Availability Zone is.
    fix: Set `MultiAZ` to true.
    hint: "set MultiAZ: true"     # optional: the fix in one line (default: the first line of fix)
    resources: [AWS::RDS::DBInstance]  # types or globs: AWS::RDS::*, AWS::Serverless::Function
    when: {{Environment: production}}  # optional: parameter values (or a list), or {{condition: IsProduction}}
    # where: {{...}}                # optional: a check that selects which of those resources it is about
    assert:                       # a check: {{path: P, TEST: ARGUMENT}} or all-of / any-of / not / referenced-by
      path: Properties.MultiAZ    # Properties.A[*].B: [*] every list item, [0] one, * every mapping value
      equals: true                # exists, absent, equals, one-of, not-one-of, matches (a regex),
                                  # at-least, at-most, greater-than, less-than, length: {{at-least: 1}}
    # referenced-by: {{type: AWS::CloudWatch::Alarm, path: Properties.Dimensions}}  # another resource refers to it
    # message: ...                # optional: the finding's message (default: what fails, and where)
    failing: |                    # a template (or only its Resources) the policy reports
      Parameters:
        Environment: {{Type: String, AllowedValues: [production, staging]}}
      Resources:
        Database:
          Type: AWS::RDS::DBInstance
          Properties: {{Engine: postgres, DBInstanceClass: db.t3.micro, AllocatedStorage: "20"}}
    passing: |                    # the same, fixed: the policy reports nothing
      Parameters:
        Environment: {{Type: String, AllowedValues: [production, staging]}}
      Resources:
        Database:
          Type: AWS::RDS::DBInstance
          Properties: {{Engine: postgres, DBInstanceClass: db.t3.micro, AllocatedStorage: "20", MultiAZ: true}}
"""
