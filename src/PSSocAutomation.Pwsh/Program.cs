// pwsh's own entry point (Microsoft.PowerShell.ConsoleHost): every switch, the console host and the standard modules.
return Microsoft.PowerShell.UnmanagedPSEntry.Start(args, args.Length);
