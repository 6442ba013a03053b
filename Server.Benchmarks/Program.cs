using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Realm.Server.Benchmarks.Net.SocketReceiveFromBenchmarks).Assembly).Run(args);
