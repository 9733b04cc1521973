# Build the Windows bundle and the MSI on a Windows build machine (PowerShell 5.1 or 7, Python 3.11 x64 on PATH,
# WiX Toolset v3 on PATH; espeak-ng for the English/中文/한국어/Tiếng Việt voice clips, optional).
#   powershell -ExecutionPolicy Bypass -File packaging\build_windows.ps1
# Every Python package comes from the hashed lock files in requirements\ (the same versions CI tested); nothing
# is resolved or downloaded unpinned. Update the locks on a developer machine with scripts/lock.sh.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

function Invoke-Step([string]$What, [scriptblock]$Block) {
    Write-Host "== $What"
    & $Block
    if ($LASTEXITCODE -ne 0) { throw "build_windows: '$What' failed (exit $LASTEXITCODE)" }
}

$venv = "build\win-venv"
if (-not (Test-Path "$venv\Scripts\python.exe")) { Invoke-Step "venv" { python -m venv $venv } }
$py = "$venv\Scripts\python.exe"
Invoke-Step "pip (hashed)" { & $py -m pip install -q --require-hashes -r requirements\pip.txt }
Invoke-Step "dependencies (hashed lock)" { & $py -m pip install -q --require-hashes -r requirements\lock-dev.txt }
Invoke-Step "project" { & $py -m pip install -q --no-deps --no-build-isolation . }
Invoke-Step "dependency audit" { & $py scripts\audit_deps.py }
Invoke-Step "voice clips" { & $py scripts\render_voice.py }
Invoke-Step "PyInstaller" { & $py -m PyInstaller --noconfirm --distpath build\dist --workpath build\pyi packaging\uketsuke.spec }

$version = & $py -c "import kiosk; print(kiosk.__version__)"
Invoke-Step "payload" {
    heat dir build\dist\uketsuke -nologo -ag -srd -sreg -dr INSTALLDIR -cg CG.Payload -var var.SourceDir `
        -t packaging\heat-exclude-exe.xslt -out build\payload.wxs
}
Invoke-Step "candle" {
    candle -nologo -arch x64 -dWin64=yes -dSourceDir=build\dist\uketsuke -dConfigSource=config\default.toml `
        -dVersion=$version -out build\wixobj\ packaging\uketsuke.wxs build\payload.wxs
}
Invoke-Step "light" {
    light -nologo -out build\Uketsuke.msi build\wixobj\uketsuke.wixobj build\wixobj\payload.wixobj
}
Write-Host "MSI: build\Uketsuke.msi"
