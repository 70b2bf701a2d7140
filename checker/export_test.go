package checker

// ExampleBase is the production schema rule examples run against, for the
// tests of package checker_test.
const ExampleBase = exampleBase
