import { mountPage } from '../../components/mount.tsx';
import { ConfirmDeal } from '../../components/ConfirmDeal.tsx';
import '../popup/style.css';

const params = new URLSearchParams(location.search);
mountPage('confirmTitle', () => <ConfirmDeal dealId={params.get('deal')} noticeId={Number(params.get('notice')) || null} />);
