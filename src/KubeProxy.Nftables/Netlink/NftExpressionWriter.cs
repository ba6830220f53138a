using KubeProxy.Linux.Netlink;

namespace KubeProxy.Nftables.Netlink;

/// <summary>
/// Writes nf_tables expressions (the kernel's bytecode for one rule) as NFTA_LIST_ELEM attributes into an open
/// NFTA_RULE_EXPRESSIONS nest. Every number the kernel reads here is big-endian; data compared against a register
/// is in the register's own byte order (network order for packet fields, host order for numgen and fib results).
/// </summary>
internal readonly struct NftExpressionWriter(NetlinkMessageBuilder builder)
{
    public void Payload(uint payloadBase, uint offset, uint length, uint dreg)
    {
        var e = Begin("payload");
        builder.PutU32BigEndian(NftAttr.PayloadDreg, dreg);
        builder.PutU32BigEndian(NftAttr.PayloadBase, payloadBase);
        builder.PutU32BigEndian(NftAttr.PayloadOffset, offset);
        builder.PutU32BigEndian(NftAttr.PayloadLen, length);
        End(e);
    }

    public void Cmp(uint op, uint sreg, ReadOnlySpan<byte> data)
    {
        var e = Begin("cmp");
        builder.PutU32BigEndian(NftAttr.CmpSreg, sreg);
        builder.PutU32BigEndian(NftAttr.CmpOp, op);
        PutData(NftAttr.CmpData, data);
        End(e);
    }

    /// <summary>reg = (reg &amp; mask) ^ 0: the prefix match of a CIDR.</summary>
    public void Mask(uint reg, ReadOnlySpan<byte> mask)
    {
        var e = Begin("bitwise");
        builder.PutU32BigEndian(NftAttr.BitwiseSreg, reg);
        builder.PutU32BigEndian(NftAttr.BitwiseDreg, reg);
        builder.PutU32BigEndian(NftAttr.BitwiseLen, (uint)mask.Length);
        PutData(NftAttr.BitwiseMask, mask);
        Span<byte> zero = stackalloc byte[mask.Length];
        zero.Clear();
        PutData(NftAttr.BitwiseXor, zero);
        End(e);
    }

    public void Meta(uint key, uint dreg)
    {
        var e = Begin("meta");
        builder.PutU32BigEndian(NftAttr.MetaDreg, dreg);
        builder.PutU32BigEndian(NftAttr.MetaKey, key);
        End(e);
    }

    public void Lookup(ReadOnlySpan<char> set, uint sreg, bool invert)
    {
        var e = Begin("lookup");
        builder.PutString(NftAttr.LookupSet, set);
        builder.PutU32BigEndian(NftAttr.LookupSreg, sreg);
        if (invert) builder.PutU32BigEndian(NftAttr.LookupFlags, NftValue.LookupInvert);
        End(e);
    }

    /// <param name="chain">The chain of a jump or goto; empty for other verdicts.</param>
    public void Verdict(int code, ReadOnlySpan<char> chain)
    {
        var e = Begin("immediate");
        builder.PutU32BigEndian(NftAttr.ImmediateDreg, NftValue.RegVerdict);
        var data = builder.BeginNested(NftAttr.ImmediateData);
        PutVerdict(builder, code, chain);
        builder.EndNested(data);
        End(e);
    }

    public void Immediate(uint dreg, ReadOnlySpan<byte> value)
    {
        var e = Begin("immediate");
        builder.PutU32BigEndian(NftAttr.ImmediateDreg, dreg);
        PutData(NftAttr.ImmediateData, value);
        End(e);
    }

    public void RandomNumber(uint dreg, uint modulus, uint offset = 0)
    {
        var e = Begin("numgen");
        builder.PutU32BigEndian(NftAttr.NumgenDreg, dreg);
        builder.PutU32BigEndian(NftAttr.NumgenModulus, modulus);
        builder.PutU32BigEndian(NftAttr.NumgenType, NftValue.NumgenRandom);
        if (offset != 0) builder.PutU32BigEndian(NftAttr.NumgenOffset, offset);
        End(e);
    }

    /// <summary>A map lookup: the value of the element whose key is in <paramref name="sreg"/> goes to
    /// <paramref name="dreg"/> (no element: the rule stops here).</summary>
    public void MapLookup(ReadOnlySpan<char> map, uint sreg, uint dreg)
    {
        var e = Begin("lookup");
        builder.PutString(NftAttr.LookupSet, map);
        builder.PutU32BigEndian(NftAttr.LookupSreg, sreg);
        builder.PutU32BigEndian(NftAttr.LookupDreg, dreg);
        End(e);
    }

    /// <summary>DNAT to the address and port a map lookup left in registers (nft writes both ends of the range).</summary>
    public void DnatFromRegisters(byte nfproto, uint addressReg, uint portReg)
    {
        var e = Begin("nat");
        builder.PutU32BigEndian(NftAttr.NatType, NftValue.NatDnat);
        builder.PutU32BigEndian(NftAttr.NatFamily, nfproto);
        builder.PutU32BigEndian(NftAttr.NatRegAddrMin, addressReg);
        builder.PutU32BigEndian(NftAttr.NatRegAddrMax, addressReg);
        builder.PutU32BigEndian(NftAttr.NatRegProtoMin, portReg);
        builder.PutU32BigEndian(NftAttr.NatRegProtoMax, portReg);
        builder.PutU32BigEndian(NftAttr.NatFlags, NftValue.NatRangeMapIps | NftValue.NatRangeProtoSpecified);
        End(e);
    }

    public void Dnat(byte nfproto, uint addressReg, uint portReg)
    {
        var e = Begin("nat");
        builder.PutU32BigEndian(NftAttr.NatType, NftValue.NatDnat);
        builder.PutU32BigEndian(NftAttr.NatFamily, nfproto);
        builder.PutU32BigEndian(NftAttr.NatRegAddrMin, addressReg);
        builder.PutU32BigEndian(NftAttr.NatRegProtoMin, portReg);
        builder.PutU32BigEndian(NftAttr.NatFlags, NftValue.NatRangeProtoSpecified);
        End(e);
    }

    public void FibSourceAddressType(uint dreg)
    {
        var e = Begin("fib");
        builder.PutU32BigEndian(NftAttr.FibDreg, dreg);
        builder.PutU32BigEndian(NftAttr.FibResult, NftValue.FibResultAddrType);
        builder.PutU32BigEndian(NftAttr.FibFlags, NftValue.FibSaddr);
        End(e);
    }

    public void DynsetUpdate(ReadOnlySpan<char> set, uint sregKey)
    {
        var e = Begin("dynset");
        builder.PutString(NftAttr.DynsetSetName, set);
        builder.PutU32BigEndian(NftAttr.DynsetOp, NftValue.DynsetUpdate);
        builder.PutU32BigEndian(NftAttr.DynsetSregKey, sregKey);
        End(e);
    }

    /// <summary>NFTA_DATA_VERDICT { code, chain } inside an already open data attribute.</summary>
    /// <param name="chain">The chain of a jump or goto; empty for other verdicts.</param>
    public static void PutVerdict(NetlinkMessageBuilder builder, int code, ReadOnlySpan<char> chain)
    {
        var verdict = builder.BeginNested(NftAttr.DataVerdict);
        builder.PutU32BigEndian(NftAttr.VerdictCode, unchecked((uint)code));
        if (!chain.IsEmpty) builder.PutString(NftAttr.VerdictChain, chain);
        builder.EndNested(verdict);
    }

    /// <summary>A host-order 32-bit value as register data (numgen and fib results are compared this way).</summary>
    public static Span<byte> HostU32(uint value, Span<byte> destination)
    {
        BitConverter.TryWriteBytes(destination, value);
        return destination[..4];
    }

    private void PutData(ushort type, ReadOnlySpan<byte> value)
    {
        var data = builder.BeginNested(type);
        builder.PutBytes(NftAttr.DataValue, value);
        builder.EndNested(data);
    }

    private (int Element, int Data) Begin(string name)
    {
        var element = builder.BeginNested(NftAttr.ListElem);
        builder.PutString(NftAttr.ExprName, name);
        return (element, builder.BeginNested(NftAttr.ExprData));
    }

    private void End((int Element, int Data) token)
    {
        builder.EndNested(token.Data);
        builder.EndNested(token.Element);
    }
}
