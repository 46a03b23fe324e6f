WokPush.connect().subscribe('POST:/kimchi/vms', function (m) { window.got.push('classic|' + m.code); });
