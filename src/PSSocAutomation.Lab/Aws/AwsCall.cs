namespace PSSocAutomation.Lab.Aws;

/// <summary>One AWS call the Lab received: its journal sequence, signing-name service, operation, and the status answered.</summary>
public sealed record AwsCall(long Sequence, string Service, string Operation, int Status);
