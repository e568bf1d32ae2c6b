using System.Reflection;

namespace PSSocAutomation.HelpGen;

/// <summary>
/// PSSocAutomation.HelpGen ASSEMBLY DOCFILE OUTPUT [REFERENCE...]: writes OUTPUT (the MAML help) for the cmdlets in
/// ASSEMBLY, described by DOCFILE (the compiler's XML documentation). REFERENCE are the assemblies ASSEMBLY needs
/// beyond the .NET runtime and its own folder (System.Management.Automation, the Dependencies/ folder): files or folders.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: PSSocAutomation.HelpGen ASSEMBLY DOCFILE OUTPUT [REFERENCE...]");
            return 2;
        }
        var (assemblyPath, docPath, outputPath) = (Path.GetFullPath(args[0]), args[1], args[2]);
        try
        {
            using var context = AssemblyContext.Open(assemblyPath, args.Skip(3));
            var cmdlets = new CmdletReader(DocComments.Load(docPath)).Read(context.LoadFromAssemblyPath(assemblyPath));
            var problems = HelpProblems.Of(cmdlets);
            foreach (var problem in problems) Console.Error.WriteLine($"{docPath}: error HELP001: {problem}");
            if (problems.Count > 0) return 1;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
            MamlWriter.Write(cmdlets).Save(outputPath);
            Console.WriteLine($"Help for {cmdlets.Count} cmdlets written to {outputPath}");
            return 0;
        }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or System.Xml.XmlException or TypeLoadException)
        {
            Console.Error.WriteLine($"{assemblyPath}: error HELP000: {ex.Message}");
            return 1;
        }
    }
}
