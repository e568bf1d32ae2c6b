namespace PSSocAutomation.Lab.Aws;

/// <summary>Security Hub's 400 InvalidInputException, thrown from deep in validation and written by the service.</summary>
internal sealed class SecurityHubInputException : Exception
{
    public SecurityHubInputException(string message, string code = "InvalidInputException") : base(message) => Code = code;

    public string Code { get; }
}
