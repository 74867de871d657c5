/**
 * The command line: {@link tfpeft.cli.Main} dispatches to one class per subcommand (train, eval,
 * export, inspect, predict, import, pretrain, graph, bench, config, data) built on Apache
 * Commons CLI. A command parses its options, loads the config ({@link tfpeft.cli.ConfigArgs})
 * and hands the work to the packages below; a {@link tfpeft.TfpeftException} becomes one line
 * and an exit code (2 for usage, 1 for failure), never a stack trace. Commands ask a run's
 * method what it needs to know (whether LoRA paths can be kept, what export folds) and know no
 * method by name.
 */
package tfpeft.cli;
