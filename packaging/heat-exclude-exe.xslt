<?xml version="1.0" encoding="utf-8"?>
<!-- heat (WiX 3, Windows build) harvests the whole PyInstaller folder; uketsuke.exe and uketsuke-ui.exe are declared
     by hand in uketsuke.wxs (service, shortcuts, custom actions), so drop their harvested components and refs.
     The Linux build does the same with `find ! -name` before wixl-heat (build_msi.sh). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:wix="http://schemas.microsoft.com/wix/2006/wi">
  <xsl:output method="xml" indent="yes" />
  <xsl:key name="exe" match="wix:Component[wix:File[substring(@Source, string-length(@Source) - 12) = '\uketsuke.exe'
                                                   or substring(@Source, string-length(@Source) - 15) = '\uketsuke-ui.exe']]"
           use="@Id" />
  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()" /></xsl:copy>
  </xsl:template>
  <xsl:template match="wix:Component[key('exe', @Id)]" />
  <xsl:template match="wix:ComponentRef[key('exe', @Id)]" />
</xsl:stylesheet>
